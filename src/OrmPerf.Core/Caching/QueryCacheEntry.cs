using NpgsqlTypes;

namespace OrmPerf.Caching;

/// <summary>
/// A cached value with the canonical key it was computed for (checked on read against hash collisions), its
/// freshness and fail-safe deadlines, the tag generations it was computed under, and the WAL position it was read at
/// (<see langword="null"/> when unknown: read outside the router). Immutable; thread-safe.
/// </summary>
internal sealed class QueryCacheEntry(
    byte[] canonicalKey, object? value, DateTimeOffset createdAt, DateTimeOffset freshUntil, DateTimeOffset staleUntil, IReadOnlyList<string> tags, long[] generations,
    NpgsqlLogSequenceNumber? readAt = null)
{
    public NpgsqlLogSequenceNumber? ReadAt { get; } = readAt;

    public byte[] CanonicalKey { get; } = canonicalKey;

    public object? Value { get; } = value;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset FreshUntil { get; } = freshUntil;

    public DateTimeOffset StaleUntil { get; } = staleUntil;

    public IReadOnlyList<string> Tags { get; } = tags;

    public long[] Generations { get; } = generations;
}
