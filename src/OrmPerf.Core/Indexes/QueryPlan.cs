using System.Text.Json;

namespace OrmPerf.Indexes;

/// <summary>A query's plan from <c>EXPLAIN (FORMAT JSON)</c>.</summary>
/// <param name="PlanJson">The plan as PostgreSQL returned it.</param>
/// <param name="NodeTypes">Every plan node's type, depth first (e.g. <c>Index Only Scan</c>, <c>Seq Scan</c>).</param>
public sealed record QueryPlan(string PlanJson, IReadOnlyList<string> NodeTypes)
{
    /// <summary>Some node reads an index without visiting the table (given an up-to-date visibility map).</summary>
    public bool UsesIndexOnlyScan => NodeTypes.Contains("Index Only Scan");

    /// <summary>Some node reads a whole table.</summary>
    public bool UsesSequentialScan => NodeTypes.Contains("Seq Scan");

    /// <summary>Some node is an index-only scan of the index named <paramref name="indexName"/>.</summary>
    public bool UsesIndexOnlyScanOn(string indexName)
    {
        ArgumentNullException.ThrowIfNull(indexName);
        using var document = JsonDocument.Parse(PlanJson);
        return document.RootElement.EnumerateArray().Any(statement => IndexOnlyScanOn(statement.GetProperty("Plan"), indexName));
    }

    internal static QueryPlan Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var nodes = new List<string>();
        foreach (var statement in document.RootElement.EnumerateArray())
        {
            Collect(statement.GetProperty("Plan"), nodes);
        }

        return new QueryPlan(json, nodes);
    }

    private static bool IndexOnlyScanOn(JsonElement node, string indexName) =>
        (node.GetProperty("Node Type").GetString() == "Index Only Scan"
            && node.TryGetProperty("Index Name", out var index) && index.GetString() == indexName)
        || (node.TryGetProperty("Plans", out var children) && children.EnumerateArray().Any(child => IndexOnlyScanOn(child, indexName)));

    private static void Collect(JsonElement node, List<string> nodes)
    {
        nodes.Add(node.GetProperty("Node Type").GetString() ?? "");
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray())
            {
                Collect(child, nodes);
            }
        }
    }
}
