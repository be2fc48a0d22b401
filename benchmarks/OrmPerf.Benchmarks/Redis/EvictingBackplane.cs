using OrmPerf.Caching;

namespace OrmPerf.Benchmarks.Redis;

/// <summary>
/// Redis's backplane, passing on everything, that keeps the receiver its cache attaches: the benchmark evicts the
/// in-memory entry through it before every read, as another node's removal would, so each read is a second-level hit.
/// </summary>
internal sealed class EvictingBackplane(IQueryCacheBackplane redis) : IQueryCacheBackplane
{
    /// <summary>The cache's receiver; set when the cache is first used.</summary>
    public IQueryCacheBackplaneReceiver Receiver { get; private set; } = null!;

    public TimeSpan? LocalFreshnessLimit => redis.LocalFreshnessLimit;

    public void Attach(IQueryCacheBackplaneReceiver receiver)
    {
        Receiver = receiver;
        redis.Attach(receiver);
    }

    public ValueTask PublishRemovalAsync(string key, CancellationToken cancellationToken) => redis.PublishRemovalAsync(key, cancellationToken);

    public ValueTask PublishTagInvalidationAsync(IReadOnlyList<string> tags, CancellationToken cancellationToken) => redis.PublishTagInvalidationAsync(tags, cancellationToken);

    public ValueTask PublishTagInvalidationAsync(IReadOnlyList<string> tags, NpgsqlTypes.NpgsqlLogSequenceNumber position, CancellationToken cancellationToken) =>
        redis.PublishTagInvalidationAsync(tags, position, cancellationToken);
}
