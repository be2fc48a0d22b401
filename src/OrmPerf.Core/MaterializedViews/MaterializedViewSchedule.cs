namespace OrmPerf.MaterializedViews;

/// <summary>One view that the refresh scheduler refreshes every <paramref name="RefreshEvery"/>.</summary>
/// <param name="Name">The view's name, optionally schema-qualified.</param>
/// <param name="RefreshEvery">The interval between refreshes; ticks are aligned to the clock (multiples of it since the Unix epoch).</param>
/// <param name="ChangeDebounce">When set, a reported write to a source table brings the refresh forward to this long after the report.</param>
/// <param name="SourceTables">Declared source tables; empty to read them from <c>pg_depend</c>.</param>
/// <param name="ValidateOnStart">Check the view exists, and populate it if needed, before the host has started.</param>
/// <param name="PopulateOnStartTimeout">How long start-up waits for that population.</param>
internal sealed record MaterializedViewSchedule(
    string Name,
    TimeSpan RefreshEvery,
    TimeSpan? ChangeDebounce,
    IReadOnlyList<string> SourceTables,
    bool ValidateOnStart = true,
    TimeSpan? PopulateOnStartTimeout = null);
