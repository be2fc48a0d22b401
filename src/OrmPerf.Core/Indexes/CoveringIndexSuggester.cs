using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrmPerf.Indexes;

/// <summary>
/// Reads a covering-index suggestion from <c>EXPLAIN (FORMAT JSON, VERBOSE)</c>: the first scan of a table in the plan
/// gives the table, its filter conditions (<c>Index Cond</c>, <c>Recheck Cond</c>, <c>Filter</c>) give the key columns
/// and its <c>Output</c> the included ones.
/// </summary>
internal static partial class CoveringIndexSuggester
{
    private static readonly string[] ScanTypes = ["Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan"];
    private static readonly string[] ConditionKeys = ["Index Cond", "Recheck Cond", "Filter"];

    // "alias.column op" or "column op" inside a condition; quoted identifiers keep their quotes in plans.
    [GeneratedRegex("""(?<![\w."$])(?:(?<alias>"(?:[^"]|"")+"|[A-Za-z_][\w$]*)\.)?(?<column>"(?:[^"]|"")+"|[A-Za-z_][\w$]*) (?<op>=|<>|<=|>=|<|>|~~\*?|!~~) """, RegexOptions.CultureInvariant)]
    private static partial Regex Comparison();

    [GeneratedRegex("'(?:[^']|'')*'", RegexOptions.CultureInvariant)]
    private static partial Regex StringLiteral();

    [GeneratedRegex("""^(?:(?<alias>"(?:[^"]|"")+"|[A-Za-z_][\w$]*)\.)?(?<column>"(?:[^"]|"")+"|[A-Za-z_][\w$]*)$""", RegexOptions.CultureInvariant)]
    private static partial Regex PlainColumn();

    /// <summary>
    /// The suggestion, or null when the plan scans no table, filters on no plain column, or a name is not a plain identifier.
    /// </summary>
    public static CoveringIndexSuggestion? FromPlan(string planJson)
    {
        using var document = JsonDocument.Parse(planJson);
        foreach (var statement in document.RootElement.EnumerateArray())
        {
            if (FindScan(statement.GetProperty("Plan")) is { } scan)
            {
                return Suggest(scan);
            }
        }

        return null;
    }

    private static JsonElement? FindScan(JsonElement node)
    {
        if (ScanTypes.Contains(node.GetProperty("Node Type").GetString()) && node.TryGetProperty("Relation Name", out _))
        {
            return node;
        }

        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray())
            {
                if (FindScan(child) is { } scan)
                {
                    return scan;
                }
            }
        }

        return null;
    }

    private static CoveringIndexSuggestion? Suggest(JsonElement scan)
    {
        var alias = scan.TryGetProperty("Alias", out var a) ? a.GetString() : null;
        var relation = scan.GetProperty("Relation Name").GetString()!;
        var table = scan.TryGetProperty("Schema", out var schema) ? schema.GetString() + "." + relation : relation;

        var equality = new List<string>();
        var range = new List<string>();
        foreach (var key in ConditionKeys)
        {
            if (!scan.TryGetProperty(key, out var condition))
            {
                continue;
            }

            // Literals go first, so text inside them cannot pass for a comparison.
            foreach (Match match in Comparison().Matches(StringLiteral().Replace(condition.GetString() ?? "", "''")))
            {
                if (!IsThisTable(match.Groups["alias"], alias))
                {
                    continue;
                }

                var column = Unquote(match.Groups["column"].Value);
                var list = match.Groups["op"].Value == "=" ? equality : range;
                if (!equality.Contains(column) && !range.Contains(column))
                {
                    list.Add(column);
                }
            }
        }

        var keys = equality.Concat(range).ToList();
        if (keys.Count == 0)
        {
            return null;
        }

        var include = new List<string>();
        if (scan.TryGetProperty("Output", out var output))
        {
            foreach (var item in output.EnumerateArray())
            {
                var match = PlainColumn().Match(item.GetString() ?? "");
                var column = match.Success && IsThisTable(match.Groups["alias"], alias) ? Unquote(match.Groups["column"].Value) : null;
                if (column is not null && !keys.Contains(column) && !include.Contains(column))
                {
                    include.Add(column);
                }
            }
        }

        try
        {
            return new CoveringIndexSuggestion(table, keys, include, CoveringIndex.NameFor(table, keys), CoveringIndex.CreateStatement(table, keys, include));
        }
        catch (ArgumentException)
        {
            // A name outside the plain identifiers CoveringIndex accepts: no suggestion rather than a wrong one.
            return null;
        }
    }

    private static bool IsThisTable(Group qualifier, string? alias) =>
        !qualifier.Success || alias is null || Unquote(qualifier.Value) == alias;

    private static string Unquote(string identifier) =>
        identifier.StartsWith('"') ? identifier[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : identifier;
}
