using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using OrmPerf.Caching;
using ZiggyCreatures.Caching.Fusion;

namespace OrmPerf.Benchmarks.QueryCache;

/// <summary>
/// The three caches compared, each in-memory only (no second level, no backplane), each keeping an entry one minute,
/// so that a benchmark measures the same work in each.
/// </summary>
internal sealed class InMemoryCaches : IDisposable
{
    public static readonly TimeSpan Duration = TimeSpan.FromMinutes(1);

    private readonly ServiceProvider _provider;

    public InMemoryCaches()
    {
        var services = new ServiceCollection();
        // The connection string is never used: nothing here opens a connection.
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1").AddQueryCache(o => o.DefaultEntryOptions = new QueryCacheEntryOptions { Duration = Duration });
        services.AddHybridCache(o => o.DefaultEntryOptions = new HybridCacheEntryOptions { Expiration = Duration, LocalCacheExpiration = Duration });
        _provider = services.BuildServiceProvider();
        OrmPerf = _provider.GetRequiredService<IQueryCache>();
        Hybrid = _provider.GetRequiredService<HybridCache>();
        Fusion = new FusionCache(new FusionCacheOptions { DefaultEntryOptions = new FusionCacheEntryOptions { Duration = Duration } });
    }

    public IQueryCache OrmPerf { get; }

    public FusionCache Fusion { get; }

    public HybridCache Hybrid { get; }

    public void Dispose()
    {
        Fusion.Dispose();
        _provider.Dispose();
    }
}
