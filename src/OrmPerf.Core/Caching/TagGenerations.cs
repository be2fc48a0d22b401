using System.Collections.Concurrent;
using NpgsqlTypes;

namespace OrmPerf.Caching;

/// <summary>
/// One counter per tag, incremented by every invalidation of the tag, with the time of its last invalidation. An
/// entry remembers the counters of its tags as they were before its value was computed; if any has moved since, the
/// value may predate an invalidation and is neither stored nor served. Invalidation is therefore O(tags), whatever the
/// number of cached entries. Entries from a second-level store carry no local counters: they are checked against the
/// invalidation times instead. Each tag also keeps the newest WAL position an invalidation carried: a fill of an entry
/// with that tag must read at or after it (see <see cref="Consistency.CacheFill"/>). Thread-safe. Only invalidated
/// tags take memory.
/// </summary>
internal sealed class TagGenerations
{
    private readonly ConcurrentDictionary<string, TagState> _tags = new(StringComparer.Ordinal);

    public long[] Snapshot(IReadOnlyList<string> tags)
    {
        if (tags.Count == 0)
        {
            return [];
        }

        var snapshot = new long[tags.Count];
        for (var i = 0; i < snapshot.Length; i++)
        {
            snapshot[i] = Get(tags[i]).Generation;
        }

        return snapshot;
    }

    public bool IsCurrent(IReadOnlyList<string> tags, long[] snapshot)
    {
        for (var i = 0; i < snapshot.Length; i++)
        {
            if (Get(tags[i]).Generation != snapshot[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether one of <paramref name="tags"/> was invalidated at or after <paramref name="createdAt"/>.</summary>
    public bool InvalidatedSince(IReadOnlyList<string> tags, DateTimeOffset createdAt)
    {
        foreach (var tag in tags)
        {
            if (Get(tag).Generation > 0 && Get(tag).InvalidatedAt >= createdAt)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The newest write position among the invalidations of <paramref name="tags"/>; default when none carried one.</summary>
    public NpgsqlLogSequenceNumber RequiredPosition(IReadOnlyList<string> tags)
    {
        NpgsqlLogSequenceNumber required = default;
        if (_tags.IsEmpty)
        {
            return required;
        }

        foreach (var tag in tags)
        {
            var position = Get(tag).Position;
            required = position > required ? position : required;
        }

        return required;
    }

    public void Invalidate(string tag, DateTimeOffset now, NpgsqlLogSequenceNumber position = default) =>
        _tags.AddOrUpdate(
            tag,
            static (_, change) => new TagState(1, change.Now, change.Position),
            static (_, state, change) => new TagState(state.Generation + 1, change.Now, change.Position > state.Position ? change.Position : state.Position),
            (Now: now, Position: position));

    private TagState Get(string tag) => _tags.TryGetValue(tag, out var state) ? state : default;

    private readonly record struct TagState(long Generation, DateTimeOffset InvalidatedAt, NpgsqlLogSequenceNumber Position);
}
