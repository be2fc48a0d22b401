namespace OrmPerf.MaterializedViews;

/// <summary>How the scheduler refreshes one view besides its interval: on reported writes to the tables it reads.</summary>
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
}
