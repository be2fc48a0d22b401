using System.Collections.Concurrent;
using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

/// <summary>A second-level store in a dictionary, shared by several caches in a test, able to fail on demand.</summary>
internal sealed class InMemoryQueryCacheStore : IQueryCacheStore
{
    public ConcurrentDictionary<string, byte[]> Payloads { get; } = new();

    public Exception? Failure { get; set; }

    /// <summary>Invalidation times recorded by other processes, as a store that keeps them reports them.</summary>
    public ConcurrentDictionary<string, DateTimeOffset> InvalidatedTags { get; } = new();

    /// <summary>Whether <see cref="ReadAsync"/> reports the expected tags' invalidation times, as Redis does in one MGET.</summary>
    public bool ChecksTagsInRead { get; set; }

    /// <summary>How many times the cache asked <see cref="WasInvalidatedSinceAsync"/> (a second round trip in a real store).</summary>
    public int SeparateTagChecks => _separateTagChecks;

    private int _separateTagChecks;

    public ValueTask<QueryCacheStoreRead> ReadAsync(string key, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        var payload = Payloads.TryGetValue(key, out var found) ? found : null;
        var invalidatedAt = tags.Select(tag => InvalidatedTags.TryGetValue(tag, out var at) ? at : DateTimeOffset.MinValue).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        return new(new QueryCacheStoreRead(payload, ChecksTagsInRead ? invalidatedAt : null));
    }

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

    public ValueTask<bool> WasInvalidatedSinceAsync(IReadOnlyList<string> tags, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _separateTagChecks);
        return new(tags.Any(tag => InvalidatedTags.TryGetValue(tag, out var at) && at >= createdAt));
    }

    private void ThrowIfFailing()
    {
        if (Failure is not null)
        {
            throw Failure;
        }
    }
}
