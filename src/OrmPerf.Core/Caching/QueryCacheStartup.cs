using Microsoft.Extensions.Hosting;

namespace OrmPerf.Caching;

/// <summary>
/// Attaches a query cache's backplane when the host starts, so a node hears other nodes' invalidations from the start
/// rather than from its first cache read (which attaches it otherwise). Nothing to stop: the backplane leaves with the
/// container. Thread-safe.
/// </summary>
internal sealed class QueryCacheStartup(QueryCache cache) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cache.EnsureStarted();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
