namespace OrmPerf.Caching;

/// <summary>What <see cref="IQueryCacheStore.ReadAsync"/> found. Immutable; thread-safe.</summary>
/// <param name="Payload">The payload, or <see langword="null"/> when there is none.</param>
/// <param name="TagsInvalidatedAt">
/// When one of the tags asked about was last invalidated, at the store's precision (at least milliseconds):
/// <see cref="DateTimeOffset.MinValue"/> when none ever was, <see cref="DateTimeOffset.MaxValue"/> when the store could
/// not tell (the entry counts as invalidated), <see langword="null"/> when the store did not check them.
/// </param>
public readonly record struct QueryCacheStoreRead(byte[]? Payload, DateTimeOffset? TagsInvalidatedAt);
