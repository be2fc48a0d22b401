using OrmPerf.Sql;

namespace OrmPerf.Caching;

/// <summary>Names of the tags the query cache derives from tables.</summary>
/// <remarks>
/// A table tag uses the table's name without its schema, so <c>sales.orders</c> and <c>orders</c> share one tag:
/// invalidating either drops reads of both. That over-invalidates when two schemas hold equally named tables, which
/// costs a cache miss; keying by schema would miss invalidations whenever the search path decides the schema.
/// Thread-safe (stateless).
/// </remarks>
public static class QueryCacheTags
{
    /// <summary>
    /// The tag of results whose tables could not be determined; every table invalidation drops them.
    /// </summary>
    public const string AnyTable = "table:*";

    /// <summary>The tag of results that read <paramref name="table"/>.</summary>
    /// <param name="table">A table name, optionally schema-qualified; quoted parts keep their case, others are lower-cased.</param>
    /// <returns>The tag.</returns>
    /// <exception cref="ArgumentException"><paramref name="table"/> is not a table name.</exception>
    public static string ForTable(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var names = SqlTableParser.ParseQualifiedName(table);
        return names is null
            ? throw new ArgumentException($"'{table}' is not a table name; expected e.g. orders, sales.orders or \"Orders\".", nameof(table))
            : ForUnqualifiedName(names);
    }

    internal static string ForUnqualifiedName(string name) => "table:" + name;
}
