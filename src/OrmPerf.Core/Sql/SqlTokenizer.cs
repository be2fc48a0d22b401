namespace OrmPerf.Sql;

/// <summary>The kinds of token <see cref="SqlTokenizer"/> produces.</summary>
internal enum SqlTokenKind
{
    /// <summary>An unquoted identifier or keyword, lower-cased as PostgreSQL folds it.</summary>
    Word,

    /// <summary>A double-quoted identifier, without quotes, case kept.</summary>
    QuotedIdentifier,

    /// <summary>A string literal, a number or a positional parameter; its text is not kept.</summary>
    Literal,

    /// <summary>Any other single character.</summary>
    Punctuation,
}

/// <summary>One token of SQL text.</summary>
internal readonly record struct SqlToken(SqlTokenKind Kind, string Text)
{
    public bool IsKeyword(string word) => Kind == SqlTokenKind.Word && Text == word;

    public bool IsPunctuation(char c) => Kind == SqlTokenKind.Punctuation && Text.Length == 1 && Text[0] == c;
}

/// <summary>
/// Splits PostgreSQL SQL into tokens, skipping comments and literals, just enough for <see cref="SqlTableParser"/>.
/// Returns <see langword="null"/> for what it does not handle (unterminated quotes or comments, dollar-quoted strings),
/// so the caller falls back to a catch-all. Thread-safe (stateless).
/// </summary>
internal static class SqlTokenizer
{
    public static List<SqlToken>? Tokenize(string sql)
    {
        var tokens = new List<SqlToken>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && At(sql, i + 1, '-'))
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (c == '/' && At(sql, i + 1, '*'))
            {
                if (!SkipBlockComment(sql, ref i))
                {
                    return null;
                }
            }
            else if (c == '\'')
            {
                if (!SkipString(sql, ref i, backslashEscapes: false))
                {
                    return null;
                }

                tokens.Add(new SqlToken(SqlTokenKind.Literal, ""));
            }
            else if (c == '"')
            {
                var name = ReadQuotedIdentifier(sql, ref i);
                if (name is null)
                {
                    return null;
                }

                tokens.Add(new SqlToken(SqlTokenKind.QuotedIdentifier, name));
            }
            else if (c == '$')
            {
                if (!At(sql, i + 1, char.IsAsciiDigit))
                {
                    return null; // a dollar-quoted string: not worth parsing here
                }

                i++;
                while (At(sql, i, char.IsAsciiDigit))
                {
                    i++;
                }

                tokens.Add(new SqlToken(SqlTokenKind.Literal, ""));
            }
            else if (char.IsAsciiDigit(c))
            {
                while (At(sql, i, ch => char.IsAsciiLetterOrDigit(ch) || ch == '.' || ch == '_'))
                {
                    i++;
                }

                tokens.Add(new SqlToken(SqlTokenKind.Literal, ""));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (At(sql, i, ch => char.IsLetterOrDigit(ch) || ch == '_' || ch == '$'))
                {
                    i++;
                }

                var word = sql[start..i].ToLowerInvariant();
                if (word == "e" && At(sql, i, '\''))
                {
                    if (!SkipString(sql, ref i, backslashEscapes: true))
                    {
                        return null;
                    }

                    tokens.Add(new SqlToken(SqlTokenKind.Literal, ""));
                }
                else
                {
                    tokens.Add(new SqlToken(SqlTokenKind.Word, word));
                }
            }
            else
            {
                tokens.Add(new SqlToken(SqlTokenKind.Punctuation, c.ToString()));
                i++;
            }
        }

        return tokens;
    }

    private static bool At(string sql, int index, char expected) => index < sql.Length && sql[index] == expected;

    private static bool At(string sql, int index, Func<char, bool> predicate) => index < sql.Length && predicate(sql[index]);

    private static bool SkipBlockComment(string sql, ref int i)
    {
        // PostgreSQL block comments nest.
        var nesting = 0;
        while (i < sql.Length)
        {
            if (sql[i] == '/' && At(sql, i + 1, '*'))
            {
                nesting++;
                i += 2;
            }
            else if (sql[i] == '*' && At(sql, i + 1, '/'))
            {
                nesting--;
                i += 2;
                if (nesting == 0)
                {
                    return true;
                }
            }
            else
            {
                i++;
            }
        }

        return false;
    }

    private static bool SkipString(string sql, ref int i, bool backslashEscapes)
    {
        i++; // opening quote
        while (i < sql.Length)
        {
            if (backslashEscapes && sql[i] == '\\')
            {
                i += 2;
            }
            else if (sql[i] == '\'')
            {
                if (At(sql, i + 1, '\''))
                {
                    i += 2;
                    continue;
                }

                i++;
                return true;
            }
            else
            {
                i++;
            }
        }

        return false;
    }

    private static string? ReadQuotedIdentifier(string sql, ref int i)
    {
        var builder = new System.Text.StringBuilder();
        i++;
        while (i < sql.Length)
        {
            if (sql[i] == '"')
            {
                if (At(sql, i + 1, '"'))
                {
                    builder.Append('"');
                    i += 2;
                    continue;
                }

                i++;
                return builder.ToString();
            }

            builder.Append(sql[i]);
            i++;
        }

        return null;
    }
}
