namespace OrmPerf.MaterializedViews;

/// <summary>
/// How the scheduler treats one view besides its interval: what it checks when the host starts, and whether it also
/// refreshes on reported writes to the tables the view reads.
/// </summary>
public sealed class MaterializedViewRefreshOptions
{
    /// <summary>
    /// Refresh the view within <see cref="ChangeDebounce"/> after a write to one of its source tables is reported
    /// (by OrmPerf's batch writer through <see cref="Changes.ITableChangeListener"/>, or by a <c>NOTIFY</c> when
    /// <c>AddMaterializedViewChangeNotifications</c> is used), instead of waiting for the next tick. Off by default.
    /// </summary>
    public bool RefreshOnChange { get; set; }

    /// <summary>
    /// How long after the first reported write the refresh runs; every report in that window is served by the same
    /// refresh, so a burst of writes costs one refresh. Must be positive. Five seconds by default.
    /// </summary>
    public TimeSpan ChangeDebounce { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The tables whose writes trigger a refresh, as <c>schema.table</c> or <c>table</c> (a name without a schema
    /// matches that table in any schema), spelled as in the catalog. Empty (the default): the tables the view reads,
    /// directly or through other views, found in <c>pg_depend</c> when the first write is reported.
    /// </summary>
    public IList<string> SourceTables { get; } = new List<string>();

    /// <summary>
    /// When the host starts, check that the view exists and is a materialized view (start-up fails with its name if
    /// not), and refresh it before start-up completes if it is not populated (created <c>WITH NO DATA</c>), so readers
    /// never see "has not been populated". True by default; set false for a view that migrations create after the host
    /// has started (its ticks then log an error until it exists).
    /// </summary>
    public bool ValidateOnStart { get; set; } = true;

    /// <summary>
    /// How long start-up waits for the refresh of an unpopulated view (with <see cref="ValidateOnStart"/>). When it
    /// takes longer, the refresh is cancelled, a warning is logged, start-up goes on and the view's next tick refreshes
    /// it. Must be positive. Thirty seconds by default.
    /// </summary>
    public TimeSpan PopulateOnStartTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
