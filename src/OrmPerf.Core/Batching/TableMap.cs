using OrmPerf.Sql;

namespace OrmPerf.Batching;

/// <summary>
/// How rows of <typeparamref name="T"/> map onto one PostgreSQL table, compiled once by <see cref="TableMapBuilder{T}"/>:
/// the columns with their accessors, the key columns used for upserts, the generated key if any, and the SQL derived
/// from them (every identifier quoted). Immutable and thread-safe.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
public sealed class TableMap<T>
{
    internal TableMap(string? schema, string table, IReadOnlyList<ColumnMap<T>> columns, IReadOnlyList<string> keyColumns, GeneratedKeyMap<T>? generatedKey)
    {
        GeneratedKey = generatedKey;
        Schema = schema;
        Table = table;
        Columns = columns;
        KeyColumns = keyColumns;
        QualifiedName = SqlIdentifier.EscapeQualified(schema, table);
        QuotedColumnList = string.Join(", ", columns.Select(c => SqlIdentifier.Escape(c.Name)));
    }

    /// <summary>The table's schema, or null to follow the connection's search path.</summary>
    public string? Schema { get; }

    /// <summary>The table's name (unquoted).</summary>
    public string Table { get; }

    /// <summary>The mapped columns, in the order they are written.</summary>
    public IReadOnlyList<ColumnMap<T>> Columns { get; }

    /// <summary>The columns that identify a row for upserts; empty when none were declared.</summary>
    public IReadOnlyList<string> KeyColumns { get; }

    /// <summary>The column whose values the table's sequence generates and the writer sets on the rows; null when none was mapped.</summary>
    public string? GeneratedKeyColumn => GeneratedKey?.Column;

    /// <summary>The quoted, possibly schema-qualified table name, as it appears in SQL.</summary>
    public string QualifiedName { get; }

    /// <summary>The table as people read it: <c>schema.table</c> or <c>table</c>, for messages and metric tags.</summary>
    public string DisplayName => Schema is null ? Table : Schema + "." + Table;

    internal string QuotedColumnList { get; }

    internal GeneratedKeyMap<T>? GeneratedKey { get; }
}
