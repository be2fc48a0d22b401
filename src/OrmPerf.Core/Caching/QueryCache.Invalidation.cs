using NpgsqlTypes;
using OrmPerf.Diagnostics;

namespace OrmPerf.Caching;

/// <summary>
/// Invalidation and removal: local, published to other nodes through the backplane, and applied when another node's
/// message arrives (<see cref="QueryCacheBackplaneReceiver"/>). The backplane is attached on first use or at host start,
/// never in the constructor.
/// </summary>
internal sealed partial class QueryCache
{
    /// <summary>
    /// Attaches the backplane once, so other nodes' messages reach this cache: called by every entry point and by the
    /// host at start (<see cref="QueryCacheStartup"/>). Thread-safe; after the first call it costs one read.
    /// </summary>
    public void EnsureStarted()
    {
        if (_backplane is not null && Volatile.Read(ref _started) == 0 && Interlocked.Exchange(ref _started, 1) == 0)
        {
            _backplane.Attach(_receiver);
        }
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

    /// <summary>Evicts the in-memory entry under <paramref name="key"/> (a <see cref="QueryKey.Id"/>): another node removed it.</summary>
    public void EvictLocal(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (QueryKey.TryParseId(key, out var hash))
        {
            _memory.Remove(hash);
        }
    }

    /// <summary>Evicts every in-memory entry: the backplane was cut off and may have missed messages.</summary>
    public void EvictAllLocal() => _memory.Clear();

    /// <summary>Invalidates <paramref name="tags"/> in this process only, for a write at <paramref name="position"/> (default: unknown).</summary>
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
}
