using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrmPerf.Batching;
using OrmPerf.Caching;
using OrmPerf.Connections;
using OrmPerf.IntegrationTests.Batching;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.Routing;

namespace OrmPerf.IntegrationTests.Consistency;

/// <summary>
/// One started service node as a user wires it: the query cache (with Redis behind it when given), read routing over
/// the replica, and a batch writer of <see cref="OrderEvent"/> rows.
/// </summary>
internal sealed class ConsistentNode : IAsyncDisposable
{
    private readonly IHost _host;

    private ConsistentNode(IHost host) => _host = host;

    public IQueryCache Cache => _host.Services.GetRequiredService<IQueryCache>();

    public IBatchWriter<OrderEvent> Writer => _host.Services.GetRequiredService<IBatchWriter<OrderEvent>>();

    public static async Task<ConsistentNode> StartAsync(TestSchema schema, string? redis = null, string? redisPrefix = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        var ormPerf = builder.Services.AddOrmPerf(o =>
        {
            o.ConnectionString = schema.Primary;
            o.Pool = PoolProfile.Production with { MinPoolSize = 0, AcquireTimeout = TimeSpan.FromSeconds(3) };
        });
        if (redis is not null)
        {
            ormPerf.AddRedisCache(o =>
            {
                o.Configuration = redis;
                o.KeyPrefix = redisPrefix ?? "consistency:";
                o.OperationTimeout = TimeSpan.FromSeconds(5);
            });
        }
        else
        {
            ormPerf.AddQueryCache();
        }

        ormPerf
            .AddReadReplicas(o =>
            {
                o.Replicas.Add(new() { Name = "replica", ConnectionString = schema.Replica });
                o.ProbeInterval = TimeSpan.FromMilliseconds(100);
                o.ProbeTimeout = TimeSpan.FromSeconds(5);
                // A paused replica must stay in rotation: what is tested is the cache's demand, not lag exclusion.
                o.MaxReplicaLag = TimeSpan.FromMinutes(10);
            })
            .AddBatchWriter<OrderEvent>(
                map => map.Table("order_event", schema.Name)
                    .Column(e => e.Id).Column(e => e.Quantity).Column(e => e.Note)
                    .Column(e => e.Amount).Column(e => e.CreatedAt).Column(e => e.Paid),
                o => { o.ImportBatchSize = 100; o.MaxDelay = TimeSpan.FromMilliseconds(10); });
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return new ConsistentNode(host);
    }

    /// <summary>A new DI scope (one request) and its router.</summary>
    public Scope NewScope()
    {
        var scope = _host.Services.CreateAsyncScope();
        return new Scope(scope, scope.ServiceProvider.GetRequiredService<IConnectionRouter>());
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }

    internal sealed class Scope(AsyncServiceScope scope, IConnectionRouter router) : IAsyncDisposable
    {
        public IConnectionRouter Router { get; } = router;

        public ValueTask DisposeAsync() => scope.DisposeAsync();
    }
}
