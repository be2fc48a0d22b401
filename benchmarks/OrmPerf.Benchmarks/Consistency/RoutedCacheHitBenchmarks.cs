using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using OrmPerf.Caching;

namespace OrmPerf.Benchmarks.Consistency;

/// <summary>
/// A warm L1 hit of <c>QueryCachedAsync</c>: on the primary's data source with a cache that knows nothing of replicas
/// (the baseline), against the same call on a request's routed read data source with the cache that tracks WAL
/// positions (the scope's demand is read, the entry's position compared).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class RoutedCacheHitBenchmarks : ConsistentCacheSetup
{
    private Caching.QueryCache _plainCache = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        await StartAsync();
        _plainCache = new Caching.QueryCache(Options.Create(new QueryCacheOptions()), TimeProvider.System);
        var plain = await PlainL1Hit();
        var routed = await RoutedL1Hit();
        if (plain.Count != 10 || routed.Count != 10)
        {
            throw new InvalidOperationException($"Expected 10 rows from each path, got {plain.Count} and {routed.Count}.");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _plainCache.Dispose();
        await StopAsync();
    }

    [Benchmark(Baseline = true, Description = "L1 hit, primary data source, no replicas")]
    public ValueTask<IReadOnlyList<Product>> PlainL1Hit() => Primary.QueryCachedAsync<Product>(_plainCache, Sql, Parameters);

    [Benchmark(Description = "L1 hit, routed read data source, positions tracked")]
    public ValueTask<IReadOnlyList<Product>> RoutedL1Hit() => Router.ReadDataSource.QueryCachedAsync<Product>(RoutedCache, Sql, Parameters);
}
