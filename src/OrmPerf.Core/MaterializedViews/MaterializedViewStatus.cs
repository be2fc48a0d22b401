namespace OrmPerf.MaterializedViews;

/// <summary>A materialized view's state, from the catalog and from OrmPerf's refresh bookkeeping.</summary>
/// <param name="View">The view's schema-qualified name as PostgreSQL resolved it.</param>
/// <param name="IsPopulated">False after <c>WITH NO DATA</c>: reading it fails until a (plain) refresh.</param>
/// <param name="CanRefreshConcurrently">Populated and has a unique index on plain columns without a predicate.</param>
/// <param name="LastRefreshStartedAt">Start of the last successful OrmPerf refresh, or null if none was recorded.</param>
/// <param name="LastRefreshFinishedAt">End of that refresh.</param>
/// <param name="LastRefreshDuration">How long it took.</param>
/// <param name="Rows">The view's row count after it.</param>
/// <param name="Staleness">Time since that refresh finished (now from the injected <see cref="TimeProvider"/>); null if none was recorded.</param>
/// <param name="LastError">The message of the last failed refresh, if it failed after the last success.</param>
/// <param name="LastErrorAt">When that failure happened.</param>
public sealed record MaterializedViewStatus(
    string View,
    bool IsPopulated,
    bool CanRefreshConcurrently,
    DateTimeOffset? LastRefreshStartedAt,
    DateTimeOffset? LastRefreshFinishedAt,
    TimeSpan? LastRefreshDuration,
    long? Rows,
    TimeSpan? Staleness,
    string? LastError,
    DateTimeOffset? LastErrorAt);
