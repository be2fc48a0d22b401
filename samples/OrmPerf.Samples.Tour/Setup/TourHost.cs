using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrmPerf.Connections;
using OrmPerf.Samples.Tour.Batching;

namespace OrmPerf.Samples.Tour.Setup;

/// <summary>The service the tour measures, wired the way an application wires OrmPerf: AddOrmPerf and the builder's Add... methods.</summary>
internal static class TourHost
{
    public static IHost Build(TourSettings settings, TourDatabase database)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // No console logger: log lines would tear through the progress display. Failures surface as exceptions.
        builder.Services.AddLogging();

        var ormPerf = builder.Services
            .AddOrmPerf(o =>
            {
                o.ConnectionString = database.InSchema(settings.Primary);
                // The tour shares its 2-core machine with builds: a slow open should wait, not fail the run.
                o.Pool = PoolProfile.Production with { AcquireTimeout = TimeSpan.FromSeconds(30) };
            })
            .AddBatchWriter<OrderEvent>(
                t => t.Table("order_events").Column(e => e.Id).Column(e => e.OrderId).Column(e => e.Kind).Column(e => e.Amount).Column(e => e.CreatedAt),
                o => o.MaxBatchSize = 5_000)
            .AddMaterializedViews()
            .AddIndexAdvisor()
            .AddWorkloadAdvisor()
            .AddReadReplicas(o =>
            {
                if (settings.Replica is { } replica)
                {
                    o.Replicas.Add(new() { Name = "replica", ConnectionString = database.InSchema(replica) });
                }

                // Short limits so that the paused-replica walk-through takes seconds, not the defaults' tens of seconds.
                o.MaxReplicaLag = TimeSpan.FromSeconds(1);
                o.ProbeInterval = TimeSpan.FromMilliseconds(100);
            });

        if (settings.Redis is { } redis)
        {
            ormPerf.AddRedisCache(o => ConfigureRedis(o, redis, database));
        }
        else
        {
            ormPerf.AddQueryCache();
        }

        return builder.Build();
    }

    /// <summary>Redis settings shared by the tour's service and its second node: one key prefix per run, so runs never meet.</summary>
    public static void ConfigureRedis(OrmPerf.Redis.RedisCacheOptions options, string redis, TourDatabase database)
    {
        options.Configuration = redis;
        options.KeyPrefix = database.Schema + ":";
        // A loaded machine answers slower than the 50 ms default; a timeout would turn a Redis hit into a database read.
        options.OperationTimeout = TimeSpan.FromSeconds(1);
    }
}
