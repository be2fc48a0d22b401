using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using OrmPerf.Diagnostics;

namespace OrmPerf.Caching;

/// <summary>
/// The query cache's access to an <see cref="IQueryCacheStore"/>: envelopes in and out, and failures of the store
/// logged and answered as a miss, so a second-level outage slows reads down but never fails them. Thread-safe.
/// </summary>
internal sealed class QueryCacheSecondLevel(IQueryCacheStore store, JsonSerializerOptions serializerOptions, ILogger logger)
{
    /// <summary>
    /// After <see cref="TryReadAsync"/> found no usable entry: when another process holds the store's lease on computing
    /// it (<see cref="IQueryCacheStore.TryAcquireLeaseAsync"/>), polls the store for that process's result until the
    /// lease runs out. <see langword="null"/> means: run the factory.
    /// </summary>
    /// <remarks>Apart from the read, so a hit does not go through one more async method.</remarks>
    public async ValueTask<QueryCacheEnvelopeEntry<T>?> AwaitLeaseAsync<T>(
        QueryKey key, IReadOnlyList<string> expectedTags, Func<QueryCacheEnvelopeEntry<T>, bool> isUsable, TimeProvider time, CancellationToken cancellationToken)
    {
        TimeSpan? lease;
        try
        {
            lease = await store.TryAcquireLeaseAsync(key.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.SecondLevelFailed(logger, "lease", key.Id, e);
            return null;
        }

        if (lease is not { } remaining)
        {
            return null;
        }

        // Polls start often, as most queries are quick, and slow down so a long one does not cost many reads.
        var deadline = time.GetUtcNow() + remaining;
        for (var delay = TimeSpan.FromMilliseconds(5); time.GetUtcNow() < deadline; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.TicksPerMillisecond * 50)))
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            if (await TryReadAsync<T>(key, expectedTags, cancellationToken).ConfigureAwait(false) is { } computed && isUsable(computed))
            {
                return computed;
            }
        }

        return null;
    }

    /// <summary>Reads the entry under <paramref name="key"/> unless another process invalidated one of its tags since.</summary>
    /// <param name="key">The key.</param>
    /// <param name="expectedTags">The tags the caller's options give the entry: checked in the same call as the read.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    // Runs on every second-level read, awaited once by our own code: its state machine is reused, not allocated.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<QueryCacheEnvelopeEntry<T>?> TryReadAsync<T>(QueryKey key, IReadOnlyList<string> expectedTags, CancellationToken cancellationToken)
    {
        try
        {
            var read = await store.ReadAsync(key.Id, expectedTags, cancellationToken).ConfigureAwait(false);
            var entry = read.Payload is null ? null : QueryCacheEnvelope.Deserialize(read.Payload, key, TypeInfo<T>());
            if (entry is null || entry.Tags.Count == 0)
            {
                return entry;
            }

            var invalidated = read.TagsInvalidatedAt is { } invalidatedAt && Contains(expectedTags, entry.Tags)
                ? invalidatedAt >= TruncateToMilliseconds(entry.CreatedAt)
                : await store.WasInvalidatedSinceAsync(entry.Tags, entry.CreatedAt, cancellationToken).ConfigureAwait(false);
            return invalidated ? null : entry;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.SecondLevelFailed(logger, "read", key.Id, e);
            return null;
        }
    }

    public async ValueTask WriteAsync<T>(QueryKey key, QueryCacheEnvelopeEntry<T> entry, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        try
        {
            await store.SetAsync(key.Id, QueryCacheEnvelope.Serialize(key, entry, TypeInfo<T>()), timeToLive, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.SecondLevelFailed(logger, "write", key.Id, e);
        }
    }

    public async ValueTask RemoveAsync(QueryKey key, CancellationToken cancellationToken)
    {
        try
        {
            await store.RemoveAsync(key.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.SecondLevelFailed(logger, "remove", key.Id, e);
        }
    }

    private static bool Contains(IReadOnlyList<string> checkedTags, IReadOnlyList<string> tags)
    {
        foreach (var tag in tags)
        {
            if (!checkedTags.Contains(tag))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Stores keep invalidation times to the millisecond; comparing them with a creation time cut to the same
    /// precision counts an invalidation in the same millisecond as the entry as newer: a miss, never a stale hit.
    /// </summary>
    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset time) => time.AddTicks(-(time.Ticks % TimeSpan.TicksPerMillisecond));

    private JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)serializerOptions.GetTypeInfo(typeof(T));
}
