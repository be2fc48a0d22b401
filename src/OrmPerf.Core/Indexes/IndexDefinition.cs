namespace OrmPerf.Indexes;

/// <summary>What the redundancy check needs to know about one index, read from <c>pg_index</c>.</summary>
internal sealed record IndexDefinition(
    IndexUsage Usage,
    string Method,
    bool IsUnique,
    bool IsPrimary,
    bool BacksConstraint,
    bool IsValid,
    int KeyCount,
    string Columns,
    string OperatorClasses,
    string Expressions,
    string Predicate)
{
    /// <summary>Table column numbers, keys first then INCLUDE columns; 0 stands for an expression.</summary>
    public string[] ColumnList { get; } = Columns.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public string[] OperatorClassList { get; } = OperatorClasses.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Can be dropped without losing a uniqueness guarantee or a constraint.</summary>
    public bool IsDroppable => !IsPrimary && !BacksConstraint;
}
