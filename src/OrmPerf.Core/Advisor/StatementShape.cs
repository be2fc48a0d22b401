using System.Text.RegularExpressions;
using OrmPerf.Caching;
using OrmPerf.Sql;

namespace OrmPerf.Advisor;

/// <summary>
/// What a normalised statement does, read from its text: whether it reads or writes, which tables, whether it
/// aggregates, how many <c>$n</c> parameters it takes. Stateless and thread-safe.
/// </summary>
internal static partial class StatementShape
{
    private const string Name = """(?<name>(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))?)""";

    [GeneratedRegex(@"^\s*(?:INSERT\s+INTO|UPDATE(?:\s+ONLY)?|DELETE\s+FROM(?:\s+ONLY)?|MERGE\s+INTO|TRUNCATE(?:\s+TABLE)?(?:\s+ONLY)?|COPY)\s+" + Name, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WriteTarget();

    [GeneratedRegex(@"^\s*REFRESH\s+MATERIALIZED\s+VIEW\s+(?:CONCURRENTLY\s+)?" + Name, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RefreshTarget();

    [GeneratedRegex(@"^\s*COPY\b.*\bTO\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex CopyOut();

    [GeneratedRegex(@"^\s*(?:SELECT|WITH)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReadStart();

    [GeneratedRegex(@"\b(?:INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\S+\s+SET)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EmbeddedWrite();

    [GeneratedRegex(@"\b(?:count|sum|avg|min|max|string_agg|array_agg|bool_and|bool_or)\s*\(|\bGROUP\s+BY\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Aggregate();

    [GeneratedRegex(@"\$(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex Parameter();

    /// <summary>The unqualified name of the table a write statement changes; null for anything else.</summary>
    public static string? WrittenTable(string query)
    {
        var match = WriteTarget().Match(query);
        return match.Success && !CopyOut().IsMatch(query) ? SqlTableParser.ParseQualifiedName(match.Groups["name"].Value) : null;
    }

    /// <summary>The unqualified name of the materialized view a <c>REFRESH</c> statement refreshes; null for anything else.</summary>
    public static string? RefreshedView(string query)
    {
        var match = RefreshTarget().Match(query);
        return match.Success ? SqlTableParser.ParseQualifiedName(match.Groups["name"].Value) : null;
    }

    /// <summary>The tables a plain read statement (SELECT, or WITH without a data-modifying part) reads; null for anything else or when unsure.</summary>
    public static IReadOnlyCollection<string>? ReadTables(string query) =>
        ReadStart().IsMatch(query) && !EmbeddedWrite().IsMatch(query) && IsSingleStatement(query) ? SqlTableParser.Tables(query) : null;

    public static bool Aggregates(string query) => Aggregate().IsMatch(query);

    /// <summary>The highest <c>$n</c> in the text: how many parameters <c>PREPARE</c> infers.</summary>
    public static int ParameterCount(string query) =>
        Parameter().Matches(query).Select(m => int.TryParse(m.Groups[1].ValueSpan, out var n) ? n : 0).DefaultIfEmpty(0).Max();

    /// <summary>One statement, so splicing it after <c>PREPARE name AS</c> cannot run a second one.</summary>
    public static bool IsSingleStatement(string query) => !query.TrimEnd().TrimEnd(';').Contains(';', StringComparison.Ordinal);
}
