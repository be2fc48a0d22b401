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
    /// <summary>Reads the entry under <paramref name="key"/> unless another process invalidated one of its tags since.</summary>
    /// <param name="key">The key.</param>
    /// <param name="expectedTags">The tags the caller's options give the entry: checked in the same call as the read.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
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
