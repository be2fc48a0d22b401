using System.Collections.Concurrent;

namespace OrmPerf.Caching;

/// <summary>
/// One counter per tag, incremented by every invalidation of the tag, with the time of its last invalidation. An
/// entry remembers the counters of its tags as they were before its value was computed; if any has moved since, the
/// value may predate an invalidation and is neither stored nor served. Invalidation is therefore O(tags), whatever the
/// number of cached entries. Entries from a second-level store carry no local counters: they are checked against the
/// invalidation times instead. Thread-safe. Only invalidated tags take memory.
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

    public void Invalidate(string tag, DateTimeOffset now) =>
        _tags.AddOrUpdate(tag, static (_, at) => new TagState(1, at), static (_, state, at) => new TagState(state.Generation + 1, at), now);

    private TagState Get(string tag) => _tags.TryGetValue(tag, out var state) ? state : default;

    private readonly record struct TagState(long Generation, DateTimeOffset InvalidatedAt);
}
