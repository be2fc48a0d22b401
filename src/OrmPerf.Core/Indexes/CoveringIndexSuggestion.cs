namespace OrmPerf.Indexes;

/// <summary>A covering index that would let a query be answered by an index-only scan, read from the query's plan.</summary>
/// <param name="Table">The scanned table, <c>schema.table</c>.</param>
/// <param name="KeyColumns">The filter columns: equality ones first, then range or pattern ones.</param>
/// <param name="IncludeColumns">The other columns the query reads from the table, for <c>INCLUDE</c>.</param>
/// <param name="IndexName">The index's name, as <see cref="CoveringIndex.NameFor"/> derives it.</param>
/// <param name="CreateStatement">The <c>CREATE INDEX CONCURRENTLY</c> statement, every name quoted.</param>
public sealed record CoveringIndexSuggestion(
    string Table, IReadOnlyList<string> KeyColumns, IReadOnlyList<string> IncludeColumns, string IndexName, string CreateStatement);
