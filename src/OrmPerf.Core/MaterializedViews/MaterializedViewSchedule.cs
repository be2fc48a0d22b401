namespace OrmPerf.MaterializedViews;

/// <summary>One view that the refresh scheduler refreshes every <paramref name="RefreshEvery"/>.</summary>
/// <param name="Name">The view's name, optionally schema-qualified.</param>
/// <param name="RefreshEvery">The interval between refreshes; the first is due one interval after the service starts.</param>
internal sealed record MaterializedViewSchedule(string Name, TimeSpan RefreshEvery);
