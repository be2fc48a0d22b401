using System.Text;
using System.Text.RegularExpressions;

namespace OrmPerf.Routing;

/// <summary>
/// The check that sends a read to the primary when its SQL locks rows or writes: <c>FOR UPDATE</c>,
/// <c>FOR NO KEY UPDATE</c>, <c>FOR SHARE</c>, <c>FOR KEY SHARE</c>, and <c>INSERT</c>/<c>UPDATE</c>/<c>DELETE</c>/<c>MERGE</c>
/// anywhere in a statement that starts with <c>WITH</c> (a data-modifying CTE), or any statement that does not start
/// with <c>SELECT</c>, <c>WITH</c>, <c>VALUES</c>, <c>TABLE</c>, <c>SHOW</c> or <c>EXPLAIN</c>.
/// Comments, string literals, quoted identifiers and dollar-quoted bodies are ignored, so a column named "update" or
/// a literal 'for share' does not count. It cannot see inside functions: a <c>SELECT my_function()</c> that writes
/// is the caller's to route with <see cref="Intent.Write"/>. Thread-safe.
/// </summary>
internal static partial class PrimaryOnlySql
{
    /// <summary>Whether <paramref name="sql"/> must run on the primary even when the caller's intent is a read.</summary>
    public static bool Requires(string sql)
    {
        var code = WithoutCommentsAndQuotes(sql);
        var first = FirstWord().Match(code);
        if (!first.Success)
        {
            return false;
        }

        var keyword = first.Value.ToUpperInvariant();
        return keyword switch
        {
            "SELECT" or "VALUES" or "TABLE" => LockingClause().IsMatch(code),
            "WITH" => LockingClause().IsMatch(code) || WritingKeyword().IsMatch(code),
            "SHOW" or "EXPLAIN" => false,
            _ => true,
        };
    }

    // Replaces comments and quoted text by a space, keeping the code between them.
    private static string WithoutCommentsAndQuotes(string sql)
    {
        var code = new StringBuilder(sql.Length);
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var next = i + 1 < sql.Length ? sql[i + 1] : '\0';
            int end;
            if (c == '-' && next == '-')
            {
                end = sql.IndexOf('\n', i);
            }
            else if (c == '/' && next == '*')
            {
                end = BlockCommentEnd(sql, i);
            }
            else if (c is '\'' or '"')
            {
                end = QuoteEnd(sql, i, c);
            }
            else if (c == '$' && DollarTag().Match(sql, i) is { Success: true } tag && tag.Index == i)
            {
                var close = sql.IndexOf(tag.Value, i + tag.Length, StringComparison.Ordinal);
                end = close < 0 ? -1 : close + tag.Length - 1;
            }
            else
            {
                code.Append(c);
                i++;
                continue;
            }

            code.Append(' ');
            i = end < 0 ? sql.Length : end + 1;
        }

        return code.ToString();
    }

    // PostgreSQL block comments nest.
    private static int BlockCommentEnd(string sql, int start)
    {
        var depth = 0;
        for (var i = start; i + 1 < sql.Length; i++)
        {
            if (sql[i] == '/' && sql[i + 1] == '*')
            {
                depth++;
                i++;
            }
            else if (sql[i] == '*' && sql[i + 1] == '/')
            {
                depth--;
                i++;
                if (depth == 0)
                {
                    return i;
                }
            }
        }

        return -1;
    }

    // A doubled quote inside the quotes is an escaped quote; E'..\'..' backslash escapes count too.
    private static int QuoteEnd(string sql, int start, char quote)
    {
        var backslashEscapes = quote == '\'' && start > 0 && sql[start - 1] is 'E' or 'e';
        for (var i = start + 1; i < sql.Length; i++)
        {
            if (backslashEscapes && sql[i] == '\\')
            {
                i++;
            }
            else if (sql[i] == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i++;
                    continue;
                }

                return i;
            }
        }

        return -1;
    }

    [GeneratedRegex(@"[A-Za-z]+")]
    private static partial Regex FirstWord();

    [GeneratedRegex(@"\bFOR\s+(NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", RegexOptions.IgnoreCase)]
    private static partial Regex LockingClause();

    [GeneratedRegex(@"\b(INSERT|UPDATE|DELETE|MERGE)\b", RegexOptions.IgnoreCase)]
    private static partial Regex WritingKeyword();

    [GeneratedRegex(@"\$([A-Za-z_][A-Za-z0-9_]*)?\$")]
    private static partial Regex DollarTag();
}
