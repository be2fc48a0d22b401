namespace OrmPerf.MaterializedViews;

/// <summary>The result of one refresh.</summary>
/// <param name="View">The view's schema-qualified name as PostgreSQL resolved it.</param>
/// <param name="Outcome">Whether the refresh ran, and in which form.</param>
/// <param name="StartedAt">When the refresh started (from the injected <see cref="TimeProvider"/>).</param>
/// <param name="Duration">How long the refresh statement took; zero when skipped.</param>
/// <param name="Rows">The view's row count after the refresh; zero when skipped.</param>
public sealed record MaterializedViewRefreshResult(
    string View, MaterializedViewRefreshOutcome Outcome, DateTimeOffset StartedAt, TimeSpan Duration, long Rows);
