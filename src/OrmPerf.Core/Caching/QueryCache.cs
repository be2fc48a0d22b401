using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NpgsqlTypes;
using OrmPerf.Consistency;
using OrmPerf.Diagnostics;

namespace OrmPerf.Caching;

/// <summary>
/// The <see cref="IQueryCache"/>: a size-limited <see cref="MemoryCache"/> (L1) with stampede protection, tag
/// generations against stale writes, and fail-safe; with an optional <see cref="IQueryCacheStore"/> as second level (L2),
/// read on an L1 miss before the factory runs and written after it.
/// </summary>
/// <remarks>
/// <para>Thread-safe; one instance per registration (<c>AddQueryCache</c>, <c>AddKeyedQueryCache</c>: singletons). Split by
/// concern: lookups and the in-memory store here, the fill (stampede protection, second level, fail-safe) in
/// <c>QueryCache.Fill.cs</c>, invalidation and the backplane in <c>QueryCache.Invalidation.cs</c>.</para>
/// <para>A fresh hit allocates nothing: the entry is looked up by <see cref="QueryKey.Hash"/>, its canonical key compared,
/// its tag generations checked and its value returned in a completed <see cref="ValueTask{TResult}"/>.</para>
/// <para>An invalidated entry is never served, not even by fail-safe: invalidation means the data changed. An L2 entry
/// is not used if one of its tags was invalidated in this process at or after the entry was created; spreading
/// invalidations between processes is the L2 package's job.</para>
/// <para>With read replicas (<c>AddReadReplicas</c>), the cache is consistent with the WAL: every entry carries the
/// position it was read at, every invalidation the position of the write behind it (read from the primary when the
/// writer did not report it), and a fill of a tag invalidated at P, or for a caller whose consistency token is at P,
/// reads at or after P and is stored only then; a caller with a token is never served an older entry, and joins only a
/// fill that satisfies it. Without replicas none of this runs.</para>
/// </remarks>
internal sealed partial class QueryCache : IQueryCache, IDisposable
{
    private readonly MemoryCache _memory;
    private readonly TagGenerations _generations = new();
    private readonly CachedQueryCounters _queries;
    private readonly ConcurrentDictionary<QueryKey, object> _flights = new();
    private readonly QueryCacheEntryOptions _defaults;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KeyValuePair<string, object?> _nameTag;
    private readonly QueryCacheSecondLevel? _secondLevel;
    private readonly IQueryCacheBackplane? _backplane;
    private readonly IWritePositionSource? _positions;
    private readonly QueryCacheBackplaneReceiver _receiver;
    private int _started;

    /// <summary>Creates a cache; it does nothing until first used or started (<see cref="EnsureStarted"/>).</summary>
    /// <param name="settings">The validated settings.</param>
    /// <param name="timeProvider">The clock for expiry and fail-safe.</param>
    /// <param name="logger">Receives fail-safe and second-level warnings; <see langword="null"/> for none.</param>
    /// <param name="store">The second level; <see langword="null"/> for memory only.</param>
    /// <param name="backplane">Spreads removals and invalidations to other nodes; <see langword="null"/> for none.</param>
    /// <param name="positions">Where writes stand, when read replicas are configured (the cache then tracks WAL positions).</param>
    /// <exception cref="InvalidOperationException">A store is given but <see cref="QueryCacheOptions.SerializerOptions"/> has no type resolver.</exception>
    public QueryCache(
        QueryCacheOptions settings, TimeProvider timeProvider, ILogger<QueryCache>? logger = null, IQueryCacheStore? store = null, IQueryCacheBackplane? backplane = null,
        IWritePositionSource? positions = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _memory = new MemoryCache(new MemoryCacheOptions { SizeLimit = settings.SizeLimit });
        _queries = new CachedQueryCounters(_generations);
        _defaults = settings.DefaultEntryOptions;
        _nameTag = new KeyValuePair<string, object?>(OrmPerfDiagnostics.CacheNameTag, settings.Name);
        _time = timeProvider;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        if (store is not null)
        {
            var serializerOptions = settings.SerializerOptions?.TypeInfoResolver is not null ? settings.SerializerOptions : throw new InvalidOperationException(
                "A second-level query-cache store is registered, but QueryCacheOptions.SerializerOptions has no TypeInfoResolver; " +
                "set it to options with a source-generated JsonSerializerContext or a DefaultJsonTypeInfoResolver.");
            _secondLevel = new QueryCacheSecondLevel(store, serializerOptions, _logger);
        }

        _positions = positions;
        _backplane = backplane;
        _receiver = new QueryCacheBackplaneReceiver(this);
    }

    /// <inheritdoc/>
    public QueryCacheEntryOptions DefaultEntryOptions => _defaults;

    /// <inheritdoc/>
    public ValueTask<T> GetOrSetAsync<T>(QueryKey key, Func<CancellationToken, ValueTask<T>> factory, QueryCacheEntryOptions? options = null, CancellationToken cancellationToken = default) =>
        GetOrSetAsync(key, factory, options, required: default, cancellationToken);

    /// <summary>
    /// As <see cref="GetOrSetAsync{T}(QueryKey, Func{CancellationToken, ValueTask{T}}, QueryCacheEntryOptions?, NpgsqlLogSequenceNumber, CancellationToken)"/>
    /// with the position <paramref name="requirement"/> (a scope's router or routed data source) demands.
    /// </summary>
    internal ValueTask<T> GetOrSetAsync<T>(QueryKey key, Func<CancellationToken, ValueTask<T>> factory, QueryCacheEntryOptions? options, IReadRequirement requirement, CancellationToken cancellationToken)
    {
        var required = requirement.RequiredPositionAsync(cancellationToken);
        return required.IsCompletedSuccessfully
            ? GetOrSetAsync(key, factory, options, required.Result, cancellationToken)
            : AwaitRequirementAsync(key, factory, options, required, cancellationToken);
    }

    private async ValueTask<T> AwaitRequirementAsync<T>(QueryKey key, Func<CancellationToken, ValueTask<T>> factory, QueryCacheEntryOptions? options, ValueTask<NpgsqlLogSequenceNumber> required, CancellationToken cancellationToken) =>
        await GetOrSetAsync(key, factory, options, await required.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Whether WAL positions are tracked (read replicas are configured).</summary>
    internal bool TracksPositions => _positions is not null;

    /// <summary>
    /// As <see cref="GetOrSetAsync{T}(QueryKey, Func{CancellationToken, ValueTask{T}}, QueryCacheEntryOptions?, CancellationToken)"/>,
    /// for a caller whose reads must reflect <paramref name="required"/> (its consistency token): an entry read before
    /// it is not served, and a fill running for a lower demand is not joined.
    /// </summary>
    internal ValueTask<T> GetOrSetAsync<T>(QueryKey key, Func<CancellationToken, ValueTask<T>> factory, QueryCacheEntryOptions? options, NpgsqlLogSequenceNumber required, CancellationToken cancellationToken)
    {
        CheckResultType<T>(key);
        ArgumentNullException.ThrowIfNull(factory);
        EnsureStarted();
        var entry = Find(key, required, out var fresh);
        if (fresh)
        {
            QueryCacheMetrics.Hits.Add(1, _nameTag);
            _queries.Hit(key, (options ?? _defaults).Tags);
            return new ValueTask<T>((T)entry!.Value!);
        }

        QueryCacheMetrics.Misses.Add(1, _nameTag);
        _queries.Miss(key, (options ?? _defaults).Tags);
        return RunOrJoinAsync(key, factory, options ?? _defaults, entry, required, cancellationToken);
    }

    /// <inheritdoc/>
    public bool TryGet<T>(QueryKey key, out T value)
    {
        CheckResultType<T>(key);
        EnsureStarted();
        var entry = Find(key, required: default, out var fresh);
        if (fresh)
        {
            QueryCacheMetrics.Hits.Add(1, _nameTag);
            _queries.Hit(key, tags: null);
            value = (T)entry!.Value!;
            return true;
        }

        QueryCacheMetrics.Misses.Add(1, _nameTag);
        _queries.Miss(key, tags: null);
        value = default!;
        return false;
    }

    /// <inheritdoc/>
    public ValueTask SetAsync<T>(QueryKey key, T value, QueryCacheEntryOptions? options = null, CancellationToken cancellationToken = default)
    {
        CheckResultType<T>(key);
        EnsureStarted();
        options ??= _defaults;
        QueryCacheEntryOptionsRules.ThrowIfInvalid(options, nameof(options));
        var entry = Store(key, value, Lifetime(options), options, _generations.Snapshot(options.Tags), readAt: null);
        return WriteSecondLevelAsync(key, value, entry, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask RemoveAsync(QueryKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        EnsureStarted();
        _memory.Remove(key.LocalKey);
        return _secondLevel is null && _backplane is null ? ValueTask.CompletedTask : RemoveSharedAsync(key, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Hits, misses and tag invalidations per cached query (SQL text or cached method) since its first read: the
    /// evidence that a query's tables change too often for caching it to pay. Counts the first
    /// 256 distinct queries; reads of later ones are not counted per query.
    /// </remarks>
    public IReadOnlyList<CachedQueryStatistics> GetQueryStatistics() => _queries.Read();

    public void Dispose() => _memory.Dispose();

    private static void CheckResultType<T>(QueryKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.ResultType != typeof(T))
        {
            throw new ArgumentException($"The key {key.Id} was built for results of type '{key.ResultType}', not '{typeof(T)}'.", nameof(key));
        }
    }

    /// <summary>
    /// The entry usable for <paramref name="key"/>: fresh, or expired but within its fail-safe window; and read at or
    /// after <paramref name="required"/> when one is given.
    /// </summary>
    private QueryCacheEntry? Find(QueryKey key, NpgsqlLogSequenceNumber required, out bool fresh)
    {
        fresh = false;
        if (!_memory.TryGetValue(key.LocalKey, out var found) || found is not QueryCacheEntry entry
            || !key.Matches(entry.CanonicalKey) || !_generations.IsCurrent(entry.Tags, entry.Generations)
            || (required != default && !(entry.ReadAt >= required)))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        fresh = now < entry.FreshUntil;
        return fresh || now < entry.StaleUntil ? entry : null;
    }

    private QueryCacheEntry Store<T>(
        QueryKey key, T value, (DateTimeOffset Created, DateTimeOffset FreshUntil, DateTimeOffset StaleUntil) lifetime, QueryCacheEntryOptions options, long[] generations, NpgsqlLogSequenceNumber? readAt) =>
        Store(key, value, lifetime, options.Tags, options.Size, generations, readAt);

    private QueryCacheEntry Store<T>(
        QueryKey key, T value, (DateTimeOffset Created, DateTimeOffset FreshUntil, DateTimeOffset StaleUntil) lifetime, IReadOnlyList<string> tags, long size, long[] generations,
        NpgsqlLogSequenceNumber? readAt)
    {
        var entry = new QueryCacheEntry(key.CanonicalArray, value, lifetime.Created, lifetime.FreshUntil, lifetime.StaleUntil, tags, generations, readAt);
        var now = _time.GetUtcNow();
        var local = LimitWhileDisconnected(entry, now);
        var remaining = local.StaleUntil - now;
        if (remaining > TimeSpan.Zero)
        {
            using var cached = _memory.CreateEntry(key.LocalKey);
            cached.Size = size;
            cached.AbsoluteExpirationRelativeToNow = remaining;
            cached.Value = local;
        }

        return entry;
    }

    /// <summary>
    /// While the backplane cannot bring other nodes' invalidations, an entry stored in memory stays fresh only for the
    /// backplane's short limit, its fail-safe window moved forward with it; the second level keeps the full lifetime.
    /// </summary>
    private QueryCacheEntry LimitWhileDisconnected(QueryCacheEntry entry, DateTimeOffset now)
    {
        if (_backplane?.LocalFreshnessLimit is not { } limit || entry.FreshUntil <= now + limit)
        {
            return entry;
        }

        var cut = entry.FreshUntil - (now + limit);
        return new QueryCacheEntry(entry.CanonicalKey, entry.Value, entry.CreatedAt, entry.FreshUntil - cut, entry.StaleUntil - cut, entry.Tags, entry.Generations, entry.ReadAt);
    }
}
