using System.Diagnostics.CodeAnalysis;
using OrmPerf.Sql;

namespace OrmPerf.Projections;

/// <summary>
/// Keyset ("seek") pagination: each page starts after the last row of the previous one
/// (<c>WHERE (k1, k2) &gt; (@after_k1, @after_k2) ORDER BY k1, k2 LIMIT @limit</c>), so a deep page costs the same as the
/// first one given an index on the keys, where <c>OFFSET</c> reads and discards every earlier row.
/// </summary>
/// <remarks>
/// The keys must identify a row uniquely (end with the primary key) and all sort the same way. Parameters: <c>@limit</c>,
/// and for a page after the first, <c>@after_{column}</c> for each key column with the previous page's last values.
/// </remarks>
public static class KeysetPagination
{
    /// <summary>The SQL of one page of <typeparamref name="TDto"/> rows from <paramref name="table"/>.</summary>
    /// <param name="table">The table, optionally schema-qualified.</param>
    /// <param name="keyColumns">The sort keys, unique together.</param>
    /// <param name="afterCursor">False for the first page (no <c>@after_…</c> parameters).</param>
    /// <param name="descending">Newest first instead of oldest first.</param>
    /// <param name="where">An extra filter, trusted SQL with Dapper parameters, or null.</param>
    /// <exception cref="ArgumentException">A name is invalid or there is no key column.</exception>
    public static string PageSql<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TDto>(string table, IReadOnlyList<string> keyColumns, bool afterCursor, bool descending = false, string? where = null)
    {
        ArgumentNullException.ThrowIfNull(keyColumns);
        if (keyColumns.Count == 0)
        {
            throw new ArgumentException($"Keyset pagination of '{table}' needs at least one key column.", nameof(keyColumns));
        }

        var keys = SqlIdentifier.QuoteList(keyColumns, nameof(keyColumns));
        var conditions = new List<string>(2);
        if (!string.IsNullOrWhiteSpace(where))
        {
            conditions.Add("(" + where + ")");
        }

        if (afterCursor)
        {
            var parameters = string.Join(", ", keyColumns.Select(c => "@after_" + c));
            conditions.Add($"({keys}) {(descending ? "<" : ">")} ({parameters})");
        }

        var order = string.Join(", ", keyColumns.Select(c => SqlIdentifier.Quote(c) + (descending ? " DESC" : "")));
        return Projection.Select<TDto>(table, conditions.Count == 0 ? null : string.Join(" AND ", conditions))
            + $" ORDER BY {order} LIMIT @limit";
    }
}
