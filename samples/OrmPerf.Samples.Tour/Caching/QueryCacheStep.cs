using System.Data.Common;
using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using OrmPerf.Caching;
using OrmPerf.Samples.Tour.Measurement;
using OrmPerf.Samples.Tour.Setup;
using OrmPerf.Redis.Diagnostics;

namespace OrmPerf.Samples.Tour.Caching;

/// <summary>
/// The best-sellers report from the database, from the in-memory cache (L1), and from Redis (L2) as a second instance
/// of the service sees it: its own memory is empty, but the first instance has put the results in Redis.
/// </summary>
internal sealed class QueryCacheStep : ITourStep
{
    public string Title => "Query cache: database vs L1 hit vs Redis hit";

    public async Task<IReadOnlyList<TourResult>> RunAsync(TourContext context, CancellationToken cancellationToken)
    {
        var cache = context.Services.GetRequiredService<IQueryCache>();
        var dataSource = context.Services.GetRequiredService<DbDataSource>();
        var report = TopProduct.Parameters(windows: 1).First();

        var database = await Measure.RepeatAsync(context.Sizes.QueryRepeats, async (_, ct) =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await connection.QueryAsync<TopProduct>(new CommandDefinition(TopProduct.BestSellers, report, cancellationToken: ct));
        }, cancellationToken);
        // The warm-up run is the miss that fills the cache; every timed run is an L1 hit.
        var memory = await Measure.RepeatAsync(context.Sizes.CacheHits, async (_, ct) =>
            await dataSource.QueryCachedAsync<TopProduct>(cache, TopProduct.BestSellers, report, cancellationToken: ct), cancellationToken);

        var results = new List<TourResult>
        {
            TourResult.LowerIsBetter(
                "query cache: L1 (memory) hit",
                Figure.Duration(database.Median).With("(database)"),
                Figure.Duration(memory.Median).With("(L1)"),
                $"best sellers of a category; median of {context.Sizes.QueryRepeats} database reads and {context.Sizes.CacheHits:N0} hits"),
        };
        if (context.Settings.Redis is { } redis)
        {
            results.Add(await RedisHitAsync(context, redis, cache, dataSource, database, cancellationToken));
        }

        return results;
    }

    private static async Task<TourResult> RedisHitAsync(TourContext context, string redis, IQueryCache cache, DbDataSource dataSource, Timings database, CancellationToken cancellationToken)
    {
        var reports = TopProduct.Parameters(windows: 3).ToList();
        foreach (var report in reports)
        {
            await dataSource.QueryCachedAsync<TopProduct>(cache, TopProduct.BestSellers, report, cancellationToken: cancellationToken);
        }

        // The first instance writes to Redis just after it has answered its caller: give those writes a moment.
        await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);

        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = context.Primary).AddRedisCache(o => TourHost.ConfigureRedis(o, redis, context.Database));
        await using var secondInstance = services.BuildServiceProvider();
        var secondCache = secondInstance.GetRequiredService<IQueryCache>();
        var secondDataSource = secondInstance.GetRequiredService<DbDataSource>();
        // Connect to Redis and PostgreSQL once before timing, on a report that is not timed.
        await secondDataSource.QueryCachedAsync<TopProduct>(secondCache, TopProduct.BestSellers, reports[0], cancellationToken: cancellationToken);

        using var hits = new RedisHitCounter();
        var timings = await Measure.RepeatAsync(reports.Count - 2, async (i, ct) =>
            await secondDataSource.QueryCachedAsync<TopProduct>(secondCache, TopProduct.BestSellers, reports[i + 1], cancellationToken: ct), cancellationToken);
        return TourResult.LowerIsBetter(
            "query cache: Redis (L2) hit",
            Figure.Duration(database.Median).With("(database)"),
            Figure.Duration(timings.Median).With("(Redis)"),
            $"a second instance with an empty L1; {hits.Count} of {reports.Count - 1} reads were Redis hits");
    }

    /// <summary>Counts the Redis package's own hit counter, so the row says how many of the timed reads Redis answered.</summary>
    private sealed class RedisHitCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public RedisHitCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == RedisDiagnostics.MeterName && instrument.Name == RedisDiagnostics.Hits)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
