namespace OrmPerf.Indexes;

/// <summary>A table's scan counters.</summary>
/// <param name="Schema">The table's schema.</param>
/// <param name="Table">The table.</param>
/// <param name="SequentialScans">Sequential scans since the statistics were reset.</param>
/// <param name="RowsReadBySequentialScans">Rows those scans read.</param>
/// <param name="IndexScans">Index scans of the table.</param>
/// <param name="LiveRows">Estimated live rows.</param>
public sealed record TableScanUsage(string Schema, string Table, long SequentialScans, long RowsReadBySequentialScans, long IndexScans, long LiveRows);
