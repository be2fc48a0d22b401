using OrmPerf.Caching;

namespace OrmPerf.Sql;

/// <summary>
/// Finds the tables a SQL statement reads, for table tags: every name after <c>FROM</c> or <c>JOIN</c>, in
/// comma-separated FROM lists, with optional schema and quotes, in subqueries and CTEs too.
/// </summary>
/// <remarks>
/// <para>What it does not understand it answers with <see cref="QueryCacheTags.AnyTable"/>, so an invalidation is never
/// missed: a function in FROM (<c>FROM get_orders()</c>, <c>ROWS FROM</c>), a statement with no FROM at all
/// (<c>SELECT my_function()</c>), or text it cannot tokenize (unterminated quotes, dollar-quoted strings).</para>
/// <para>What it cannot see: a view or a function called outside FROM reads tables the text does not name. Tag such
/// queries explicitly with the underlying tables (<see cref="QueryCacheTags.ForTable"/>). CTE names, and column names after
/// FROM inside <c>extract(year FROM created)</c>, are reported as tables too; that only adds a tag nobody invalidates.</para>
/// <para>Thread-safe (stateless).</para>
/// </remarks>
internal static class SqlTableParser
{
    // Words that end a FROM list at their nesting depth: after them, a comma no longer introduces a table.
    private static readonly HashSet<string> FromListEnds = new(StringComparer.Ordinal)
    {
        "where", "group", "having", "order", "limit", "offset", "fetch", "for", "union", "intersect", "except",
        "window", "returning", "set", "values", "select",
    };

    /// <summary>The table tags of a query: one per table read, or <see cref="QueryCacheTags.AnyTable"/>.</summary>
    /// <param name="sql">The SQL text.</param>
    /// <returns>Distinct tags, never empty.</returns>
    public static IReadOnlyList<string> TableTags(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var tables = Tables(sql);
        return tables is null || tables.Count == 0
            ? [QueryCacheTags.AnyTable]
            : tables.Select(QueryCacheTags.ForUnqualifiedName).ToArray();
    }

    /// <summary>The unqualified names of the tables <paramref name="sql"/> reads; <see langword="null"/> when unsure.</summary>
    internal static IReadOnlyCollection<string>? Tables(string sql)
    {
        var tokens = SqlTokenizer.Tokenize(sql);
        if (tokens is null)
        {
            return null;
        }

        var tables = new HashSet<string>(StringComparer.Ordinal);
        var fromListDepths = new Stack<int>();
        var depth = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            var inFromList = fromListDepths.Count > 0 && fromListDepths.Peek() == depth;
            if (token.IsPunctuation('('))
            {
                depth++;
            }
            else if (token.IsPunctuation(')'))
            {
                while (fromListDepths.Count > 0 && fromListDepths.Peek() >= depth)
                {
                    fromListDepths.Pop();
                }

                depth--;
            }
            else if (token.IsPunctuation(';'))
            {
                fromListDepths.Clear();
            }
            else if (token.IsKeyword("from") || token.IsKeyword("join") || (inFromList && token.IsPunctuation(',')))
            {
                if (token.IsKeyword("from") && i > 0 && tokens[i - 1].IsKeyword("rows"))
                {
                    return null;
                }

                switch (ReadTableReference(tokens, i + 1, out var name))
                {
                    case TableReference.Table:
                        tables.Add(name!);
                        break;
                    case TableReference.Function:
                        return null;
                }

                if (token.IsKeyword("from") && !inFromList)
                {
                    fromListDepths.Push(depth);
                }
            }
            else if (inFromList && token.Kind == SqlTokenKind.Word && FromListEnds.Contains(token.Text))
            {
                fromListDepths.Pop();
            }
        }

        return tables;
    }

    /// <summary>
    /// The unqualified names of the tables a write statement may change or read: the targets of <c>UPDATE</c>,
    /// <c>INSERT INTO</c> and <c>MERGE INTO</c> (a <c>DELETE</c>'s is after FROM) and every table <see cref="Tables"/>
    /// finds; <see langword="null"/> when unsure. An extra name (a word after <c>DO UPDATE</c>) only invalidates a tag
    /// nobody uses.
    /// </summary>
    internal static IReadOnlyCollection<string>? WrittenTables(string sql)
    {
        var tables = Tables(sql) is { } read ? new HashSet<string>(read, StringComparer.Ordinal) : null;
        var tokens = tables is null ? null : SqlTokenizer.Tokenize(sql);
        if (tokens is null)
        {
            return null;
        }

        for (var i = 0; i < tokens.Count; i++)
        {
            var target = tokens[i].IsKeyword("update")
                || (tokens[i].IsKeyword("into") && i > 0 && (tokens[i - 1].IsKeyword("insert") || tokens[i - 1].IsKeyword("merge")));
            // A name followed by "(" is an INSERT's column list here, not a function call.
            if (target && ReadTableReference(tokens, i + 1, out var name) is TableReference.Table or TableReference.Function)
            {
                tables!.Add(name!);
            }
        }

        return tables;
    }

    /// <summary>The unqualified, normalized name of <c>[schema.]table</c>; <see langword="null"/> if it is not one.</summary>
    internal static string? ParseQualifiedName(string name)
    {
        var tokens = SqlTokenizer.Tokenize(name);
        if (tokens is null || tokens.Count == 0)
        {
            return null;
        }

        var end = ReadName(tokens, 0, out var last);
        return end == tokens.Count ? last : null;
    }

    private static TableReference ReadTableReference(List<SqlToken> tokens, int start, out string? name)
    {
        name = null;
        var i = start;
        while (i < tokens.Count && (tokens[i].IsKeyword("only") || tokens[i].IsKeyword("lateral")))
        {
            i++;
        }

        if (i >= tokens.Count || tokens[i].IsPunctuation('('))
        {
            return TableReference.Subquery;
        }

        var end = ReadName(tokens, i, out name);
        if (end < 0)
        {
            // "substring(x FROM 2)", "trim(both FROM 'x')": FROM followed by a value, not a table.
            return TableReference.None;
        }

        return end < tokens.Count && tokens[end].IsPunctuation('(') ? TableReference.Function : TableReference.Table;
    }

    /// <summary>Reads <c>ident(.ident)*</c> from <paramref name="start"/>; returns the index after it, or -1.</summary>
    private static int ReadName(List<SqlToken> tokens, int start, out string? last)
    {
        last = null;
        var i = start;
        while (true)
        {
            if (i >= tokens.Count || tokens[i].Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier))
            {
                return -1;
            }

            last = tokens[i].Text;
            i++;
            if (i < tokens.Count && tokens[i].IsPunctuation('.'))
            {
                i++;
                continue;
            }

            return i;
        }
    }

    private enum TableReference
    {
        None,
        Table,
        Function,
        Subquery,
    }
}
