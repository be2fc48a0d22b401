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
    public async ValueTask<QueryCacheEnvelopeEntry<T>?> TryReadAsync<T>(QueryKey key, CancellationToken cancellationToken)
    {
        try
        {
            var payload = await store.GetAsync(key.Id, cancellationToken).ConfigureAwait(false);
            var entry = payload is null ? null : QueryCacheEnvelope.Deserialize(payload, key, TypeInfo<T>());
            return entry is null || entry.Tags.Count == 0 || !await store.WasInvalidatedSinceAsync(entry.Tags, entry.CreatedAt, cancellationToken).ConfigureAwait(false)
                ? entry
                : null;
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

    private JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)serializerOptions.GetTypeInfo(typeof(T));
}
