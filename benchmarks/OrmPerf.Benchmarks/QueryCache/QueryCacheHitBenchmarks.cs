using BenchmarkDotNet.Attributes;
using OrmPerf.Caching;

namespace OrmPerf.Benchmarks.QueryCache;

/// <summary>
/// An L1 hit: get-or-set on a warm key, the factory never runs. OrmPerf is measured the way a caller uses it, building
/// the <see cref="QueryKey"/> on every call; the precomputed-key row shows what the lookup alone costs, and the
/// parameterized row what reading a parameter object adds (the other caches get the equivalent string key).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class QueryCacheHitBenchmarks
{
    private const string Key = "SELECT name FROM products WHERE id = 42";
    private const string ParameterizedSql = "SELECT name FROM products WHERE id = @id";
    private const string Value = "Espresso machine";

    private InMemoryCaches _caches = null!;
    private QueryKey _precomputedKey = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _caches = new InMemoryCaches();
        _precomputedKey = QueryKey.Create<string>(Key);
        await OrmPerfKeyBuiltPerCall();
        await FusionCache();
        await HybridCache();
        await OrmPerfParameterizedKeyBuiltPerCall();
    }

    [GlobalCleanup]
    public void Cleanup() => _caches.Dispose();

    [Benchmark(Baseline = true, Description = "FusionCache GetOrSetAsync (hit)")]
    public ValueTask<string> FusionCache() =>
        _caches.Fusion.GetOrSetAsync<string>(Key, static (_, _) => Task.FromResult(Value));

    [Benchmark(Description = "HybridCache GetOrCreateAsync (hit)")]
    public ValueTask<string> HybridCache() =>
        _caches.Hybrid.GetOrCreateAsync(Key, static _ => ValueTask.FromResult(Value));

    [Benchmark(Description = "OrmPerf GetOrSetAsync (hit, key built per call)")]
    public ValueTask<string> OrmPerfKeyBuiltPerCall() =>
        _caches.OrmPerf.GetOrSetAsync(QueryKey.Create<string>(Key), static _ => ValueTask.FromResult(Value));

    [Benchmark(Description = "OrmPerf GetOrSetAsync (hit, key with 1 parameter built per call)")]
    public ValueTask<string> OrmPerfParameterizedKeyBuiltPerCall() =>
        _caches.OrmPerf.GetOrSetAsync(QueryKey.Create<string>(ParameterizedSql, new { id = 42 }), static _ => ValueTask.FromResult(Value));

    [Benchmark(Description = "OrmPerf GetOrSetAsync (hit, key precomputed)")]
    public ValueTask<string> OrmPerfKeyPrecomputed() =>
        _caches.OrmPerf.GetOrSetAsync(_precomputedKey, static _ => ValueTask.FromResult(Value));
}
