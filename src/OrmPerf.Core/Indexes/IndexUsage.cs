namespace OrmPerf.Indexes;

/// <summary>One index and how it has been used.</summary>
/// <param name="Schema">The table's schema.</param>
/// <param name="Table">The table.</param>
/// <param name="Index">The index.</param>
/// <param name="Scans">Index scans since the statistics were reset.</param>
/// <param name="SizeBytes">The index's size on disk.</param>
/// <param name="Definition">Its <c>CREATE INDEX</c> statement, from <c>pg_get_indexdef</c>.</param>
public sealed record IndexUsage(string Schema, string Table, string Index, long Scans, long SizeBytes, string Definition);
