namespace OrmPerf.Advisor;

/// <summary>An existing materialized view whose refreshes do not pay: more refreshes than changes to its tables, or than reads.</summary>
/// <param name="View">Its schema-qualified name.</param>
/// <param name="Refreshes">Calls of <c>REFRESH MATERIALIZED VIEW</c> on it.</param>
/// <param name="SourceWriteStatements">Calls of write statements on the tables it reads.</param>
/// <param name="Reads">Scans of the view.</param>
/// <param name="Evidence">The numbers above in one sentence.</param>
public sealed record MaterializedViewFinding(string View, long Refreshes, long SourceWriteStatements, long Reads, string Evidence);
