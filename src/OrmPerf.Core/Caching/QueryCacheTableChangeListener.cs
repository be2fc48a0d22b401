using OrmPerf.Changes;
using OrmPerf.Sql;

namespace OrmPerf.Caching;

/// <summary>
/// Drops the cached results over tables that OrmPerf's writers (the batch writer) committed to, through
/// <see cref="IQueryCache.InvalidateTablesAsync"/>. Registered by <c>AddQueryCache</c>. Thread-safe (stateless).
/// </summary>
/// <remarks>
/// Table tags ignore the schema (see <see cref="QueryCacheTags"/>), so only the name after the last dot counts; it is
/// quoted so a mixed-case table keeps its case, as it must be quoted in the SQL that reads it.
/// </remarks>
internal sealed class QueryCacheTableChangeListener(IQueryCache cache) : ITableChangeListener
{
    public ValueTask OnTablesChangedAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        return cache.InvalidateTablesAsync(tables.Select(t => SqlIdentifier.Escape(t[(t.LastIndexOf('.') + 1)..])), cancellationToken);
    }
}
