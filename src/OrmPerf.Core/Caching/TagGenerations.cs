using System.Collections.Concurrent;

namespace OrmPerf.Caching;

/// <summary>
/// One counter per tag, incremented by every invalidation of the tag. An entry remembers the counters of its tags as
/// they were before its value was computed; if any has moved since, the value may predate an invalidation and is
/// neither stored nor served. Invalidation is therefore O(tags), whatever the number of cached entries.
/// Thread-safe. Only invalidated tags take memory.
/// </summary>
internal sealed class TagGenerations
{
    private readonly ConcurrentDictionary<string, long> _generations = new(StringComparer.Ordinal);

    public long[] Snapshot(IReadOnlyList<string> tags)
    {
        if (tags.Count == 0)
        {
            return [];
        }

        var snapshot = new long[tags.Count];
        for (var i = 0; i < snapshot.Length; i++)
        {
            snapshot[i] = Get(tags[i]);
        }

        return snapshot;
    }

    public bool IsCurrent(IReadOnlyList<string> tags, long[] snapshot)
    {
        for (var i = 0; i < snapshot.Length; i++)
        {
            if (Get(tags[i]) != snapshot[i])
            {
                return false;
            }
        }

        return true;
    }

    public void Invalidate(string tag) => _generations.AddOrUpdate(tag, 1, static (_, generation) => generation + 1);

    private long Get(string tag) => _generations.TryGetValue(tag, out var generation) ? generation : 0;
}
