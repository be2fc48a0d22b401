using BenchmarkDotNet.Attributes;
using OrmPerf.Caching;

namespace OrmPerf.Benchmarks.QueryCache;

/// <summary>
/// A miss and set: remove the key, then get-or-set it, so the factory runs and the value is stored on every operation
/// while the cache stays one entry big (unique keys would grow the caches, and OrmPerf's size limit would start evicting).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class QueryCacheMissBenchmarks
{
    private const string Key = "SELECT name FROM products WHERE id = 42";
    private const string Value = "Espresso machine";

    private InMemoryCaches _caches = null!;

    [GlobalSetup]
    public void Setup() => _caches = new InMemoryCaches();

    [GlobalCleanup]
    public void Cleanup() => _caches.Dispose();

    [Benchmark(Baseline = true, Description = "FusionCache Remove + GetOrSetAsync (miss)")]
    public async Task<string> FusionCache()
    {
        await _caches.Fusion.RemoveAsync(Key);
        return await _caches.Fusion.GetOrSetAsync<string>(Key, static (_, _) => Task.FromResult(Value));
    }

    [Benchmark(Description = "HybridCache Remove + GetOrCreateAsync (miss)")]
    public async Task<string> HybridCache()
    {
        await _caches.Hybrid.RemoveAsync(Key);
        return await _caches.Hybrid.GetOrCreateAsync(Key, static _ => ValueTask.FromResult(Value));
    }

    [Benchmark(Description = "OrmPerf Remove + GetOrSetAsync (miss, key built per call)")]
    public async Task<string> OrmPerf()
    {
        var key = QueryKey.Create<string>(Key);
        await _caches.OrmPerf.RemoveAsync(key);
        return await _caches.OrmPerf.GetOrSetAsync(key, static _ => ValueTask.FromResult(Value));
    }
}
