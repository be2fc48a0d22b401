using System.Collections.Concurrent;

namespace OrmPerf.Caching;

/// <summary>
/// One cache's hits and misses per cached query (its SQL text, or a cached method's key name), for the workload advisor:
/// a query whose tables change between most of its reads costs a cache lookup and a store for nothing. Bounded: the
/// first <see cref="Capacity"/> queries are counted, later ones only as untracked reads, so SQL built per call cannot
/// grow memory. Invalidations are not counted here: a tag's generation already counts them (<see cref="TagGenerations"/>).
/// Thread-safe.
/// </summary>
internal sealed class CachedQueryCounters(TagGenerations generations)
{
    public const int Capacity = 256;

    private readonly ConcurrentDictionary<string, Query> _queries = new(StringComparer.Ordinal);
    private long _untracked;

    /// <summary>Reads of queries beyond <see cref="Capacity"/>.</summary>
    public long UntrackedReads => Interlocked.Read(ref _untracked);

    /// <summary>Counts a hit; <paramref name="tags"/> is null when the caller gave no entry options (a query first seen so is not counted).</summary>
    public void Hit(QueryKey key, IReadOnlyList<string>? tags)
    {
        For(key, tags)?.Hit();
    }

    /// <inheritdoc cref="Hit"/>
    public void Miss(QueryKey key, IReadOnlyList<string>? tags)
    {
        For(key, tags)?.Miss();
    }

    public IReadOnlyList<CachedQueryStatistics> Read() =>
        _queries.Values.Select(q => new CachedQueryStatistics(
                q.Statement, q.Tags, q.Hits, q.Misses, Invalidations(q.Tags) - q.InvalidationsBefore))
            .OrderBy(q => q.Statement, StringComparer.Ordinal).ToList();

    private Query? For(QueryKey key, IReadOnlyList<string>? tags)
    {
        var known = key.Counters;
        if (known is not null && ReferenceEquals(known.Owner, this))
        {
            return known;
        }

        if (!_queries.TryGetValue(key.Statement, out var query))
        {
            if (tags is null)
            {
                return null;
            }

            if (_queries.Count >= Capacity)
            {
                Interlocked.Increment(ref _untracked);
                return null;
            }

            query = _queries.GetOrAdd(key.Statement, static (statement, state) => new Query(state.Owner, statement, state.Tags, state.Owner.Invalidations(state.Tags)), (Owner: this, Tags: tags));
        }

        key.Counters = query;
        return query;
    }

    // A tag's generation is the number of its invalidations in this process (local and from other nodes).
    private long Invalidations(IReadOnlyList<string> tags) => generations.Snapshot(tags).Sum();

    /// <summary>One query's counters; <see cref="InvalidationsBefore"/> is its tags' invalidations when it was first seen.</summary>
    internal sealed class Query(CachedQueryCounters owner, string statement, IReadOnlyList<string> tags, long invalidationsBefore)
    {
        private long _hits;
        private long _misses;

        public CachedQueryCounters Owner { get; } = owner;

        public string Statement { get; } = statement;

        public IReadOnlyList<string> Tags { get; } = tags;

        public long InvalidationsBefore { get; } = invalidationsBefore;

        public long Hits => Interlocked.Read(ref _hits);

        public long Misses => Interlocked.Read(ref _misses);

        public void Hit() => Interlocked.Increment(ref _hits);

        public void Miss() => Interlocked.Increment(ref _misses);
    }
}
