namespace OrmPerf.Batching;

/// <summary>
/// The table map does not fit the real table: a missing table or column, a type that cannot be written into the
/// column, an unmapped NOT NULL column without a default, or key columns that no unique index covers.
/// </summary>
public sealed class TableMapMismatchException : OrmPerfException
{
    /// <summary>Creates the exception with the list of problems, each naming table, column and types.</summary>
    public TableMapMismatchException(string table, IReadOnlyList<string> problems)
        : base($"The batch writer's map does not fit table '{table}':{Environment.NewLine}- {string.Join(Environment.NewLine + "- ", problems)}")
    {
        Table = table;
        Problems = problems;
    }

    /// <summary>The table, as named in the map.</summary>
    public string Table { get; }

    /// <summary>Every problem found, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }
}
