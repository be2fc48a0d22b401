using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrmPerf.Diagnostics;

namespace OrmPerf.Caching;

/// <summary>
/// The in-memory (L1) <see cref="IQueryCache"/>: a size-limited <see cref="MemoryCache"/> with stampede protection,
/// tag generations against stale writes, and fail-safe.
/// </summary>
/// <remarks>
/// <para>Thread-safe; register one instance per process (<c>AddQueryCache</c> registers it as a singleton).</para>
/// <para>A fresh hit allocates nothing: the entry is looked up by <see cref="QueryKey.Id"/>, its canonical key compared,
/// its tag generations checked and its value returned in a completed <see cref="ValueTask{TResult}"/>.</para>
/// <para>An invalidated entry is never served, not even by fail-safe: invalidation means the data changed.</para>
/// </remarks>
public sealed class QueryCache : IQueryCache, IDisposable
{
    private readonly MemoryCache _memory;
    private readonly TagGenerations _generations = new();
    private readonly ConcurrentDictionary<QueryKey, object> _flights = new();
    private readonly QueryCacheEntryOptions _defaults;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KeyValuePair<string, object?> _nameTag;

    /// <summary>Creates a cache.</summary>
    /// <param name="options">The validated settings.</param>
    /// <param name="timeProvider">The clock for expiry and fail-safe.</param>
    /// <param name="logger">Receives fail-safe warnings; <see langword="null"/> for none.</param>
    public QueryCache(IOptions<QueryCacheOptions> options, TimeProvider timeProvider, ILogger<QueryCache>? logger = null)
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
        _defaults = settings.DefaultEntryOptions;
        _nameTag = new KeyValuePair<string, object?>("ormperf.cache.name", settings.Name);
        _time = timeProvider;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc/>
    public QueryCacheEntryOptions DefaultEntryOptions => _defaults;

    /// <inheritdoc/>
    public ValueTask<T> GetOrSetAsync<T>(QueryKey key, Func<CancellationToken, ValueTask<T>> factory, QueryCacheEntryOptions? options = null, CancellationToken cancellationToken = default)
    {
        CheckResultType<T>(key);
        ArgumentNullException.ThrowIfNull(factory);
        var entry = Find(key, out var fresh);
        if (fresh)
        {
            QueryCacheMetrics.Hits.Add(1, _nameTag);
            return new ValueTask<T>((T)entry!.Value!);
        }

        QueryCacheMetrics.Misses.Add(1, _nameTag);
        return RunOrJoinAsync(key, factory, options ?? _defaults, entry, cancellationToken);
    }

    /// <inheritdoc/>
    public bool TryGet<T>(QueryKey key, out T value)
    {
        CheckResultType<T>(key);
        var entry = Find(key, out var fresh);
        if (fresh)
        {
            QueryCacheMetrics.Hits.Add(1, _nameTag);
            value = (T)entry!.Value!;
            return true;
        }

        QueryCacheMetrics.Misses.Add(1, _nameTag);
        value = default!;
        return false;
    }

    /// <inheritdoc/>
    public void Set<T>(QueryKey key, T value, QueryCacheEntryOptions? options = null)
    {
        CheckResultType<T>(key);
        options ??= _defaults;
        options.Validate();
        Store(key, value, options, _generations.Snapshot(options.Tags));
    }

    /// <inheritdoc/>
    public void Remove(QueryKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _memory.Remove(key.Id);
    }

    /// <inheritdoc/>
    public ValueTask InvalidateTagsAsync(IEnumerable<string> tags, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tags);
        foreach (var tag in tags)
        {
            ArgumentNullException.ThrowIfNull(tag, nameof(tags));
            _generations.Invalidate(tag);
            QueryCacheMetrics.Invalidations.Add(1, _nameTag);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask InvalidateTablesAsync(IEnumerable<string> tables, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tables);
        return InvalidateTagsAsync(tables.Select(QueryCacheTags.ForTable).Append(QueryCacheTags.AnyTable).ToList(), cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose() => _memory.Dispose();

    private static void CheckResultType<T>(QueryKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.ResultType != typeof(T))
        {
            throw new ArgumentException($"The key {key.Id} was built for results of type '{key.ResultType}', not '{typeof(T)}'.", nameof(key));
        }
    }

    /// <summary>The entry usable for <paramref name="key"/>: fresh, or expired but within its fail-safe window.</summary>
    private QueryCacheEntry? Find(QueryKey key, out bool fresh)
    {
        fresh = false;
        if (!_memory.TryGetValue(key.Id, out var found) || found is not QueryCacheEntry entry
            || !key.Matches(entry.CanonicalKey) || !_generations.IsCurrent(entry.Tags, entry.Generations))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        fresh = now < entry.FreshUntil;
        return fresh || now < entry.StaleUntil ? entry : null;
    }

    private ValueTask<T> RunOrJoinAsync<T>(QueryKey key, Func<CancellationToken, ValueTask<T>> factory, QueryCacheEntryOptions options, QueryCacheEntry? stale, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_flights.TryGetValue(key, out var existing))
            {
                var running = (QueryCacheFlight<T>)existing;
                if (_generations.IsCurrent(running.Tags, running.Generations) && running.TryJoin())
                {
                    return running.WaitAsync(cancellationToken);
                }

                // The running factory started before an invalidation (or was abandoned): its result is not for us.
                var replacement = NewFlight<T>(options);
                if (_flights.TryUpdate(key, replacement, existing))
                {
                    return StartAsync(key, replacement, factory, options, stale, cancellationToken);
                }
            }
            else
            {
                var flight = NewFlight<T>(options);
                if (_flights.TryAdd(key, flight))
                {
                    return StartAsync(key, flight, factory, options, stale, cancellationToken);
                }
            }
        }
    }

    private QueryCacheFlight<T> NewFlight<T>(QueryCacheEntryOptions options)
    {
        options.Validate();
        return new QueryCacheFlight<T>(options.Tags, _generations.Snapshot(options.Tags));
    }

    private ValueTask<T> StartAsync<T>(QueryKey key, QueryCacheFlight<T> flight, Func<CancellationToken, ValueTask<T>> factory, QueryCacheEntryOptions options, QueryCacheEntry? stale, CancellationToken cancellationToken)
    {
        _ = RunFactoryAsync(key, flight, factory, options, stale);
        return flight.WaitAsync(cancellationToken);
    }

    private async Task RunFactoryAsync<T>(QueryKey key, QueryCacheFlight<T> flight, Func<CancellationToken, ValueTask<T>> factory, QueryCacheEntryOptions options, QueryCacheEntry? stale)
    {
        using var activity = OrmPerfDiagnostics.ActivitySource.StartActivity("ormperf.cache.miss");
        activity?.SetTag("ormperf.cache.key", key.Id);
        var started = Stopwatch.GetTimestamp();
        QueryCacheMetrics.FactoryRuns.Add(1, _nameTag);
        try
        {
            var value = await factory(flight.FactoryToken).ConfigureAwait(false);
            QueryCacheMetrics.FactoryDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _nameTag);
            if (_generations.IsCurrent(flight.Tags, flight.Generations))
            {
                Store(key, value, options, flight.Generations);
            }

            _flights.TryRemove(new KeyValuePair<QueryKey, object>(key, flight));
            flight.Complete(value);
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
                flight.Complete((T)stale.Value!);
            }
            else
            {
                flight.Fail(e);
            }
        }
    }

    private void Store<T>(QueryKey key, T value, QueryCacheEntryOptions options, long[] generations)
    {
        var now = _time.GetUtcNow();
        var duration = options.Jitter > TimeSpan.Zero
            ? options.Duration + TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * options.Jitter.Ticks))
            : options.Duration;
        var entry = new QueryCacheEntry(key.CanonicalArray, value, now + duration, now + duration + options.FailSafeWindow, options.Tags, generations);
        _memory.Set(key.Id, entry, new MemoryCacheEntryOptions
        {
            Size = options.Size,
            AbsoluteExpirationRelativeToNow = duration + options.FailSafeWindow,
        });
    }
}
