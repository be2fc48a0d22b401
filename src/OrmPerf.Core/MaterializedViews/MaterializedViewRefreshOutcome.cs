namespace OrmPerf.MaterializedViews;

/// <summary>What a refresh did.</summary>
public enum MaterializedViewRefreshOutcome
{
    /// <summary><c>REFRESH MATERIALIZED VIEW</c>: readers were blocked while it ran.</summary>
    Plain,

    /// <summary><c>REFRESH MATERIALIZED VIEW CONCURRENTLY</c>: readers kept reading the previous rows.</summary>
    Concurrently,

    /// <summary>
    /// Another refresh of the same view held its advisory lock, or (for a scheduled tick) another instance had already
    /// claimed the tick, so this one did nothing.
    /// </summary>
    Skipped,
}
