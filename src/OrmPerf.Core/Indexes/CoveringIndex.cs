using OrmPerf.Sql;

namespace OrmPerf.Indexes;

/// <summary>
/// Builds <c>CREATE INDEX CONCURRENTLY</c> DDL for a covering index: the filter and sort columns as keys, the other
/// selected columns in <c>INCLUDE</c>, so the query can be an index-only scan. Every name is validated and quoted.
/// </summary>
/// <remarks>
/// Run the statement outside a transaction (PostgreSQL refuses <c>CONCURRENTLY</c> inside one). A failed concurrent build
/// leaves an invalid index behind: <see cref="IIndexAdvisor.AnalyzeAsync"/> reports it. A b-tree serves equality, ranges
/// and prefix <c>LIKE 'abc%'</c> (with <c>text_pattern_ops</c> unless the collation is C), never <c>ILIKE '%abc'</c>.
/// </remarks>
public static class CoveringIndex
{
    /// <summary>The default index name, <c>{table}_{keys}_covering</c>, shortened with a stable hash past 63 bytes.</summary>
    /// <param name="table">The table, optionally schema-qualified (the schema is not part of the name).</param>
    /// <param name="keyColumns">The key columns.</param>
    /// <exception cref="ArgumentException">The table name is invalid.</exception>
    public static string NameFor(string table, IReadOnlyList<string> keyColumns)
    {
        ArgumentNullException.ThrowIfNull(keyColumns);
        return SqlIdentifier.Derive(SqlIdentifier.Split(table, nameof(table)).Name + "_" + string.Join("_", keyColumns), "_covering");
    }

    /// <summary>Returns the DDL.</summary>
    /// <param name="table">The table, optionally schema-qualified.</param>
    /// <param name="keyColumns">Key columns, equality filters first, then the range or sort column.</param>
    /// <param name="includeColumns">Columns only read, stored in the index leaf pages.</param>
    /// <param name="indexName">The index's name; by default <c>{table}_{keys}_covering</c>.</param>
    /// <param name="concurrently">Build without blocking writes (the default).</param>
    /// <exception cref="ArgumentException">A name is invalid, or there is no key column.</exception>
    public static string CreateStatement(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> includeColumns, string? indexName = null, bool concurrently = true)
    {
        var quotedTable = SqlIdentifier.QuoteQualified(table, nameof(table));
        ArgumentNullException.ThrowIfNull(keyColumns);
        ArgumentNullException.ThrowIfNull(includeColumns);
        if (keyColumns.Count == 0)
        {
            throw new ArgumentException($"A covering index on '{table}' needs at least one key column.", nameof(keyColumns));
        }

        var keys = SqlIdentifier.QuoteList(keyColumns, nameof(keyColumns));
        var name = SqlIdentifier.Quote(indexName ?? NameFor(table, keyColumns), nameof(indexName));
        var include = includeColumns.Count == 0 ? "" : $" INCLUDE ({SqlIdentifier.QuoteList(includeColumns, nameof(includeColumns))})";
        return $"CREATE INDEX {(concurrently ? "CONCURRENTLY " : "")}IF NOT EXISTS {name} ON {quotedTable} ({keys}){include}";
    }
}
