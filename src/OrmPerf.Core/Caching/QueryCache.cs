using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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
/// <para>Thread-safe; register one instance per process (<c>AddQueryCache</c> registers it as a singleton).</para>
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
public sealed class QueryCache : IQueryCache, IQueryCacheBackplaneReceiver, IDisposable
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

    /// <summary>Creates a cache.</summary>
    /// <param name="options">The validated settings.</param>
    /// <param name="timeProvider">The clock for expiry and fail-safe.</param>
    /// <param name="logger">Receives fail-safe and second-level warnings; <see langword="null"/> for none.</param>
    /// <param name="store">The second level; <see langword="null"/> for memory only.</param>
    /// <param name="backplane">Spreads removals and invalidations to other nodes; <see langword="null"/> for none.</param>
    /// <exception cref="InvalidOperationException">A store is given but <see cref="QueryCacheOptions.SerializerOptions"/> has no type resolver.</exception>
    public QueryCache(IOptions<QueryCacheOptions> options, TimeProvider timeProvider, ILogger<QueryCache>? logger = null, IQueryCacheStore? store = null, IQueryCacheBackplane? backplane = null)
        : this(options, timeProvider, logger, store, backplane, positions: null)
    {
    }

    /// <summary>Creates a cache that tracks WAL positions when <paramref name="positions"/> is given (read replicas are configured).</summary>
    internal QueryCache(
        IOptions<QueryCacheOptions> options, TimeProvider timeProvider, ILogger<QueryCache>? logger, IQueryCacheStore? store, IQueryCacheBackplane? backplane, IWritePositionSource? positions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var settings = options.Value;
        var validation = new QueryCacheOptionsValidator().Validate(null, settings);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(QueryCacheOptions), typeof(QueryCacheOptions), validation.Failures);
        }

        _memory = new MemoryCache(new MemoryCacheOptions { SizeLimit = settings.SizeLimit });
        _queries = new CachedQueryCounters(_generations);
        _defaults = settings.DefaultEntryOptions;
        _nameTag = new KeyValuePair<string, object?>("ormperf.cache.name", settings.Name);
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
        _backplane?.Attach(this);
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
        options ??= _defaults;
        options.Validate();
        var entry = Store(key, value, Lifetime(options), options, _generations.Snapshot(options.Tags), readAt: null);
        return WriteSecondLevelAsync(key, value, entry, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask RemoveAsync(QueryKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        _memory.Remove(key.LocalKey);
        return _secondLevel is null && _backplane is null ? ValueTask.CompletedTask : RemoveSharedAsync(key, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// With read replicas, the invalidation carries the primary's current WAL position (one round trip), which is at or
    /// after the write the caller made before invalidating; if the primary cannot be reached, it carries none.
    /// </remarks>
    public ValueTask InvalidateTagsAsync(IEnumerable<string> tags, CancellationToken cancellationToken = default)
    {
        var list = CheckTags(tags);
        return _positions is null ? InvalidateTagsAsync(list, default(NpgsqlLogSequenceNumber), cancellationToken) : InvalidateAtCurrentPositionAsync(list, cancellationToken);
    }

    /// <summary>Invalidates <paramref name="tags"/> for a write committed at <paramref name="position"/> (default: unknown).</summary>
    internal ValueTask InvalidateTagsAsync(IReadOnlyList<string> tags, NpgsqlLogSequenceNumber position, CancellationToken cancellationToken)
    {
        InvalidateTagsLocal(tags, position);
        if (_backplane is null)
        {
            return ValueTask.CompletedTask;
        }

        return position == default ? _backplane.PublishTagInvalidationAsync(tags, cancellationToken) : _backplane.PublishTagInvalidationAsync(tags, position, cancellationToken);
    }

    /// <summary>Invalidates the tables' tags for a write committed at <paramref name="position"/> (the batch writer's commit).</summary>
    internal ValueTask InvalidateTablesAsync(IEnumerable<string> tables, NpgsqlLogSequenceNumber position, CancellationToken cancellationToken) =>
        InvalidateTagsAsync(TableTags(tables), position, cancellationToken);

    /// <inheritdoc/>
    public void EvictLocal(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (QueryKey.TryParseId(key, out var hash))
        {
            _memory.Remove(hash);
        }
    }

    /// <inheritdoc/>
    public void EvictAllLocal() => _memory.Clear();

    /// <inheritdoc/>
    public void InvalidateTagsLocal(IReadOnlyList<string> tags) => InvalidateTagsLocal(tags, default);

    /// <inheritdoc/>
    public void InvalidateTagsLocal(IReadOnlyList<string> tags, NpgsqlLogSequenceNumber position)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var now = _time.GetUtcNow();
        foreach (var tag in tags)
        {
            _generations.Invalidate(tag, now, position);
            QueryCacheMetrics.Invalidations.Add(1, _nameTag);
        }
    }

    /// <inheritdoc/>
    /// <remarks>With read replicas, carries the primary's current WAL position, as <see cref="InvalidateTagsAsync(IEnumerable{string}, CancellationToken)"/> does.</remarks>
    public ValueTask InvalidateTablesAsync(IEnumerable<string> tables, CancellationToken cancellationToken = default) =>
        InvalidateTagsAsync(TableTags(tables), cancellationToken);

    private static List<string> TableTags(IEnumerable<string> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        return tables.Select(QueryCacheTags.ForTable).Append(QueryCacheTags.AnyTable).ToList();
    }

    private static List<string> CheckTags(IEnumerable<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var list = tags.ToList();
        foreach (var tag in list)
        {
            ArgumentNullException.ThrowIfNull(tag, nameof(tags));
        }

        return list;
    }

    // The position is read before the tags are invalidated: a fill that starts after the invalidation then already
    // demands it, and one that started before is dropped by the generation check.
    private async ValueTask InvalidateAtCurrentPositionAsync(List<string> tags, CancellationToken cancellationToken)
    {
        NpgsqlLogSequenceNumber position = default;
        try
        {
            position = await _positions!.CurrentAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.InvalidationWithoutPosition(_logger, e);
        }

        await InvalidateTagsAsync(tags, position, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Hits, misses and tag invalidations per cached query (SQL text or cached method) since its first read: the
    /// evidence that a query's tables change too often for caching it to pay. Counts the first
    /// 256 distinct queries; reads of later ones are not counted per query.
    /// </summary>
    /// <returns>A snapshot, ordered by statement.</returns>
    public IReadOnlyList<CachedQueryStatistics> GetQueryStatistics() => _queries.Read();

    /// <inheritdoc/>
    public void Dispose() => _memory.Dispose();

    private async ValueTask RemoveSharedAsync(QueryKey key, CancellationToken cancellationToken)
    {
        if (_secondLevel is not null)
        {
            await _secondLevel.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        }

        if (_backplane is not null)
        {
            await _backplane.PublishRemovalAsync(key.Id, cancellationToken).ConfigureAwait(false);
        }
    }

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

    private ValueTask<T> RunOrJoinAsync<T>(
        QueryKey key, Func<CancellationToken, ValueTask<T>> factory, QueryCacheEntryOptions options, QueryCacheEntry? stale, NpgsqlLogSequenceNumber required, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_flights.TryGetValue(key, out var existing))
            {
                var running = (QueryCacheFlight<T>)existing;
                if (_generations.IsCurrent(running.Tags, running.Generations) && running.Demand >= required && running.TryJoin())
                {
                    return running.WaitAsync(cancellationToken);
                }

                // The running factory started before an invalidation, reads older data than this caller's token allows,
                // or was abandoned: its result is not for us.
                var replacement = NewFlight<T>(options, required, cancellationToken);
                if (_flights.TryUpdate(key, replacement, existing))
                {
                    running.Supersede();
                    return StartAsync(key, replacement, factory, options, stale, cancellationToken);
                }
            }
            else
            {
                var flight = NewFlight<T>(options, required, cancellationToken);
                if (_flights.TryAdd(key, flight))
                {
                    return StartAsync(key, flight, factory, options, stale, cancellationToken);
                }
            }
        }
    }

    private QueryCacheFlight<T> NewFlight<T>(QueryCacheEntryOptions options, NpgsqlLogSequenceNumber required, CancellationToken cancellationToken)
    {
        options.Validate();
        var generations = _generations.Snapshot(options.Tags);
        // Read after the snapshot: an invalidation in between moves the generation, so the flight's result is dropped anyway.
        var invalidatedAt = _positions is null ? default : _generations.RequiredPosition(options.Tags);
        return new QueryCacheFlight<T>(options.Tags, generations, invalidatedAt > required ? invalidatedAt : required, cancellationToken.CanBeCanceled);
    }

    private ValueTask<T> StartAsync<T>(QueryKey key, QueryCacheFlight<T> flight, Func<CancellationToken, ValueTask<T>> factory, QueryCacheEntryOptions options, QueryCacheEntry? stale, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _ = RunFactoryAsync(key, flight, factory, options, stale, rethrow: false);
            return flight.WaitAsync(cancellationToken);
        }

        // A caller that cannot give up awaits the run itself, which resumes it inline when the run ends, rather than the
        // flight's completion, which resumes its waiters on the thread pool (so that the waiters of one key do not run
        // one after the other): one thread-pool hop less per miss and per second-level hit.
        return new ValueTask<T>(RunFactoryAsync(key, flight, factory, options, stale, rethrow: true));
    }

    /// <summary>
    /// Reads the second level, else runs the factory; completes the flight with the result (or the stale entry, or the
    /// error) and returns it. With <paramref name="rethrow"/> false the error only goes to the flight, as nobody awaits
    /// the run: it must not fault unobserved.
    /// </summary>
    private async Task<T> RunFactoryAsync<T>(QueryKey key, QueryCacheFlight<T> flight, Func<CancellationToken, ValueTask<T>> factory, QueryCacheEntryOptions options, QueryCacheEntry? stale, bool rethrow)
    {
        using var activity = OrmPerfDiagnostics.ActivitySource.StartActivity("ormperf.cache.miss");
        activity?.SetTag("ormperf.cache.key", key.Id);
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (_secondLevel is not null)
            {
                var demand = flight.Demand;
                var shared = await _secondLevel.TryReadAsync<T>(key, options.Tags, flight.FactoryToken).ConfigureAwait(false);
                if (shared is null || !IsUsable(shared, demand))
                {
                    shared = await _secondLevel.AwaitLeaseAsync<T>(key, options.Tags, entry => IsUsable(entry, demand), _time, flight.FactoryToken).ConfigureAwait(false);
                }

                if (shared is not null)
                {
                    Finish(key, flight, shared.Value, (shared.CreatedAt, shared.FreshUntil, shared.StaleUntil), options, shared.ReadAt);
                    return shared.Value;
                }
            }

            QueryCacheMetrics.FactoryRuns.Add(1, _nameTag);
            // With replicas, the connections the factory opens through the router see the demand and report where they read.
            var fill = _positions is null ? null : CacheFill.Begin(flight.Demand);
            var value = await factory(flight.FactoryToken).ConfigureAwait(false);
            QueryCacheMetrics.FactoryDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _nameTag);
            var entry = Finish(key, flight, value, Lifetime(options), options, fill?.ReadAt);
            if (entry is not null)
            {
                // Not awaited: the run ends with the result (its caller may be waiting for the run), not with the
                // write, which never throws (a failed write is logged and dropped).
                _ = WriteSecondLevelAsync(key, value, entry, CancellationToken.None).AsTask();
            }

            return value;
        }
        catch (Exception e)
        {
            QueryCacheMetrics.FactoryDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _nameTag);
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            _flights.TryRemove(new KeyValuePair<QueryKey, object>(key, flight));
            if (stale is not null && !flight.FactoryToken.IsCancellationRequested
                && _time.GetUtcNow() < stale.StaleUntil && _generations.IsCurrent(stale.Tags, stale.Generations))
            {
                Log.StaleResultServed(_logger, key.Id, stale.StaleUntil, e);
                QueryCacheMetrics.StaleServed.Add(1, _nameTag);
                ThrottleRetries(key, stale, options);
                flight.Complete((T)stale.Value!);
                return (T)stale.Value!;
            }

            flight.Fail(e);
            if (rethrow)
            {
                throw;
            }

            return default!;
        }
    }

    /// <summary>
    /// Whether an entry from the second level is fresh, older than no invalidation this process knows of, and read at
    /// or after <paramref name="demand"/>.
    /// </summary>
    private bool IsUsable<T>(QueryCacheEnvelopeEntry<T> shared, NpgsqlLogSequenceNumber demand) =>
        _time.GetUtcNow() < shared.FreshUntil && !_generations.InvalidatedSince(shared.Tags, shared.CreatedAt)
        && (demand == default || shared.ReadAt >= demand);

    /// <summary>
    /// Stores the value unless an invalidation happened since the flight started or, with replicas, it was read before
    /// the flight's demand (a lagging server); then releases the waiters.
    /// </summary>
    private QueryCacheEntry? Finish<T>(
        QueryKey key, QueryCacheFlight<T> flight, T value, (DateTimeOffset Created, DateTimeOffset FreshUntil, DateTimeOffset StaleUntil) lifetime, QueryCacheEntryOptions options,
        NpgsqlLogSequenceNumber? readAt)
    {
        // A flight replaced by one with a higher demand (a token holder's) may finish last: it must not overwrite the
        // newer result with older data.
        var storable = _generations.IsCurrent(flight.Tags, flight.Generations) && (flight.Demand == default || readAt >= flight.Demand)
            && !flight.Superseded;
        var entry = storable ? Store(key, value, lifetime, options, flight.Generations, readAt) : null;
        _flights.TryRemove(new KeyValuePair<QueryKey, object>(key, flight));
        flight.Complete(value);
        return entry;
    }

    private (DateTimeOffset Created, DateTimeOffset FreshUntil, DateTimeOffset StaleUntil) Lifetime(QueryCacheEntryOptions options)
    {
        var now = _time.GetUtcNow();
        var duration = options.Jitter > TimeSpan.Zero
            ? options.Duration + TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * options.Jitter.Ticks))
            : options.Duration;
        return (now, now + duration, now + duration + options.FailSafeWindow);
    }

    /// <summary>
    /// Serves the stale entry as fresh for <see cref="QueryCacheEntryOptions.FailSafeThrottle"/>, so a database that is
    /// down is retried once per throttle period instead of by every request (each waiting for its timeout).
    /// </summary>
    private void ThrottleRetries(QueryKey key, QueryCacheEntry stale, QueryCacheEntryOptions options)
    {
        var retryAt = _time.GetUtcNow() + options.FailSafeThrottle;
        if (options.FailSafeThrottle > TimeSpan.Zero)
        {
            Store(key, stale.Value, (stale.CreatedAt, retryAt < stale.StaleUntil ? retryAt : stale.StaleUntil, stale.StaleUntil), stale.Tags, options.Size, stale.Generations, stale.ReadAt);
        }
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

    private ValueTask WriteSecondLevelAsync<T>(QueryKey key, T value, QueryCacheEntry entry, CancellationToken cancellationToken)
    {
        var timeToLive = entry.StaleUntil - _time.GetUtcNow();
        return _secondLevel is null || timeToLive <= TimeSpan.Zero
            ? ValueTask.CompletedTask
            : _secondLevel.WriteAsync(key, new QueryCacheEnvelopeEntry<T>(value, entry.CreatedAt, entry.FreshUntil, entry.StaleUntil, entry.Tags, entry.ReadAt), timeToLive, cancellationToken);
    }
}
