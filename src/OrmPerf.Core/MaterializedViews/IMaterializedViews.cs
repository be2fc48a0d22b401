namespace OrmPerf.MaterializedViews;

/// <summary>
/// Creates, refreshes and reports on PostgreSQL materialized views. Names may be schema-qualified
/// (<c>reporting.sales_summary</c>); they are validated and quoted, never spliced. Thread-safe: one instance serves
/// the whole process, and several processes may share a database.
/// </summary>
public interface IMaterializedViews
{
    /// <summary>
    /// Creates the materialized view (with data) and, when <paramref name="uniqueKeyColumns"/> is not empty, the unique
    /// index that <c>REFRESH ... CONCURRENTLY</c> needs. Idempotent: an existing view or index is left as it is, even if
    /// its definition differs.
    /// </summary>
    /// <param name="name">The view's name, optionally schema-qualified.</param>
    /// <param name="selectSql">The view's query. It is trusted SQL written by the developer, not user input.</param>
    /// <param name="uniqueKeyColumns">Columns that identify a row of the view; empty for no unique index.</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    Task EnsureCreatedAsync(string name, string selectSql, IReadOnlyList<string> uniqueKeyColumns, CancellationToken cancellationToken = default);

    /// <summary>
    /// Refreshes the view: <c>CONCURRENTLY</c> (readers keep reading the old rows) when it is populated and has a unique
    /// index on plain columns without a predicate, the plain form (which blocks readers) otherwise. Waits while another
    /// OrmPerf refresh of the same view, in any process, is running.
    /// </summary>
    /// <exception cref="InvalidOperationException">No materialized view has that name.</exception>
    Task<MaterializedViewRefreshResult> RefreshAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Like <see cref="RefreshAsync"/>, but returns <see cref="MaterializedViewRefreshOutcome.Skipped"/> at once when
    /// another OrmPerf refresh of the same view (in any process) holds its advisory lock.
    /// </summary>
    /// <exception cref="InvalidOperationException">No materialized view has that name.</exception>
    Task<MaterializedViewRefreshResult> TryRefreshAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Refreshes the view for the clock-aligned tick that starts at <paramref name="tick"/>, once across every instance:
    /// the tick is claimed in the database first, and when another instance has already claimed it (or a later tick),
    /// or holds the view's advisory lock, this returns <see cref="MaterializedViewRefreshOutcome.Skipped"/> without
    /// refreshing. A refresh that fails after its claim is not retried for that tick. The scheduler of
    /// <c>AddMaterializedView</c> calls this with <c>floor(now / refreshEvery) * refreshEvery</c> (from the Unix epoch,
    /// UTC), so instances started at any offset agree on the tick as long as their clocks agree to well within the interval.
    /// </summary>
    /// <param name="name">The view's name, optionally schema-qualified.</param>
    /// <param name="tick">The start of the tick; claims are ordered by it, so an older tick is never refreshed after a newer one.</param>
    /// <param name="cancellationToken">Cancels the claim or the refresh.</param>
    /// <exception cref="InvalidOperationException">No materialized view has that name.</exception>
    Task<MaterializedViewRefreshResult> TryRefreshTickAsync(string name, DateTimeOffset tick, CancellationToken cancellationToken = default);

    /// <summary>Reports whether the view is populated, how its last OrmPerf refresh went, and how stale it is.</summary>
    /// <exception cref="InvalidOperationException">No materialized view has that name.</exception>
    Task<MaterializedViewStatus> GetStatusAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Orders <paramref name="names"/> so that every view comes after the materialized views it reads directly
    /// (from <c>pg_depend</c>); otherwise the given order is kept.
    /// </summary>
    /// <exception cref="InvalidOperationException">A name is not a materialized view.</exception>
    Task<IReadOnlyList<string>> OrderBySourcesFirstAsync(IReadOnlyList<string> names, CancellationToken cancellationToken = default);

    /// <summary>
    /// The tables (and foreign or partitioned tables) the view reads, directly or through other views and materialized
    /// views, from <c>pg_depend</c>, as <c>schema.table</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No materialized view has that name.</exception>
    Task<IReadOnlyList<string>> GetSourceTablesAsync(string name, CancellationToken cancellationToken = default);
}
