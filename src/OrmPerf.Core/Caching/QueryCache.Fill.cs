using System.Diagnostics;
using NpgsqlTypes;
using OrmPerf.Consistency;
using OrmPerf.Diagnostics;

namespace OrmPerf.Caching;

/// <summary>
/// The fill of a missed entry: one factory run per key however many callers wait (stampede protection), the second
/// level read before the factory and written after it, and fail-safe when the factory fails.
/// </summary>
internal sealed partial class QueryCache
{
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
        QueryCacheEntryOptionsRules.ThrowIfInvalid(options, nameof(options));
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
        using var activity = OrmPerfDiagnostics.ActivitySource.StartActivity(OrmPerfDiagnostics.CacheFillSpan);
        activity?.SetTag(OrmPerfDiagnostics.CacheKeyTag, key.Id);
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
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name).SetTag(OrmPerfDiagnostics.ErrorTypeTag, e.GetType().FullName);
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

    private ValueTask WriteSecondLevelAsync<T>(QueryKey key, T value, QueryCacheEntry entry, CancellationToken cancellationToken)
    {
        var timeToLive = entry.StaleUntil - _time.GetUtcNow();
        return _secondLevel is null || timeToLive <= TimeSpan.Zero
            ? ValueTask.CompletedTask
            : _secondLevel.WriteAsync(key, new QueryCacheEnvelopeEntry<T>(value, entry.CreatedAt, entry.FreshUntil, entry.StaleUntil, entry.Tags, entry.ReadAt), timeToLive, cancellationToken);
    }
}
