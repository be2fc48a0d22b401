using NpgsqlTypes;

namespace OrmPerf.Caching;

/// <summary>A result read back from a <see cref="QueryCacheEnvelope"/>. Immutable; thread-safe if the value is.</summary>
/// <typeparam name="T">The result type.</typeparam>
/// <param name="Value">The cached result.</param>
/// <param name="CreatedAt">When the result was computed (compare with tag invalidation times).</param>
/// <param name="FreshUntil">Until when it is fresh.</param>
/// <param name="StaleUntil">Until when it may be served by fail-safe.</param>
/// <param name="Tags">Its tags.</param>
/// <param name="ReadAt">The WAL position the result was read at; <see langword="null"/> when unknown.</param>
internal sealed record QueryCacheEnvelopeEntry<T>(T Value, DateTimeOffset CreatedAt, DateTimeOffset FreshUntil, DateTimeOffset StaleUntil, IReadOnlyList<string> Tags, NpgsqlLogSequenceNumber? ReadAt = null);
