using System.Collections.Concurrent;
using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

/// <summary>A second-level store in a dictionary, shared by several caches in a test, able to fail on demand.</summary>
internal sealed class InMemoryQueryCacheStore : IQueryCacheStore
{
    public ConcurrentDictionary<string, byte[]> Payloads { get; } = new();

    public Exception? Failure { get; set; }

    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        return new(Payloads.TryGetValue(key, out var payload) ? payload : null);
    }

    public ValueTask SetAsync(string key, ReadOnlyMemory<byte> payload, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        Payloads[key] = payload.ToArray();
        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveAsync(string key, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        Payloads.TryRemove(key, out _);
        return ValueTask.CompletedTask;
    }

    private void ThrowIfFailing()
    {
        if (Failure is not null)
        {
            throw Failure;
        }
    }
}
