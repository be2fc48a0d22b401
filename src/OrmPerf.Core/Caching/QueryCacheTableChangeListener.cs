using NpgsqlTypes;
using OrmPerf.Changes;
using OrmPerf.Sql;

namespace OrmPerf.Caching;

/// <summary>
/// Drops the cached results over tables that OrmPerf's writers (the batch writer) committed to, through
/// <see cref="IQueryCache.InvalidateTablesAsync"/>, at the commit's WAL position when read replicas are configured
/// (later fills of those tables then read at or after the commit). Registered by <c>AddQueryCache</c>, one per cache. Thread-safe (stateless).
/// </summary>
/// <remarks>
/// Table tags ignore the schema (see <see cref="QueryCacheTags"/>), so only the name after the last dot counts; it is
/// quoted so a mixed-case table keeps its case, as it must be quoted in the SQL that reads it.
/// </remarks>
internal sealed class QueryCacheTableChangeListener(QueryCache cache) : ITableChangeListener
{
    public bool WantsCommitPosition => cache.TracksPositions;

    public ValueTask OnTablesChangedAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken) =>
        cache.InvalidateTablesAsync(Names(tables), cancellationToken);

    public ValueTask OnTablesChangedAsync(IReadOnlyList<string> tables, NpgsqlLogSequenceNumber commitPosition, CancellationToken cancellationToken) =>
        commitPosition != default
            ? cache.InvalidateTablesAsync(Names(tables), commitPosition, cancellationToken)
            : OnTablesChangedAsync(tables, cancellationToken);

    private static IEnumerable<string> Names(IReadOnlyList<string> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        return tables.Select(t => SqlIdentifier.Escape(t[(t.LastIndexOf('.') + 1)..]));
    }
}
