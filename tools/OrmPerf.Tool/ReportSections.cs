using System.Globalization;
using OrmPerf.Advisor;

namespace OrmPerf.Tool;

/// <summary>
/// The report as titled tables of text, shared by the console and the Markdown output so both say the same thing.
/// The numbers in the first column are what <c>--apply-index</c> takes.
/// </summary>
internal static class ReportSections
{
    public sealed record Section(string Title, string[] Columns, List<string[]> Rows);

    public static List<Section> From(WorkloadReport report)
    {
        var sections = new List<Section>();
        Add(sections, "Indexes to create", ["#", "Index", "Statement", "Verified", "Cost before -> after", "Evidence"],
            report.Indexes.Select((i, n) => new[]
            {
                (n + 1).ToString(CultureInfo.InvariantCulture), Describe(i.Index), i.Statement, i.Verified ? "HypoPG" : "UNVERIFIED",
                i.CostAfter is { } after ? Invariant($"{i.CostBefore:0.##} -> {after:0.##}") : Invariant($"{i.CostBefore:0.##} -> ?"), i.Evidence,
            }));
        Add(sections, "Unused indexes", ["Index", "Table", "Size", "Scans"],
            report.UnusedIndexes.Select(i => new[] { i.Index, i.Schema + "." + i.Table, Size(i.SizeBytes), i.Scans.ToString(CultureInfo.InvariantCulture) }));
        Add(sections, "Duplicate and redundant indexes", ["Index", "Covered by", "Size", "Exact duplicate"],
            report.RedundantIndexes.Select(r => new[] { r.Index.Schema + "." + r.Index.Index, r.CoveredBy, Size(r.Index.SizeBytes), r.IsExactDuplicate ? "yes" : "no" }));
        Add(sections, "Invalid indexes", ["Index", "Table", "Size"],
            report.InvalidIndexes.Select(i => new[] { i.Index, i.Schema + "." + i.Table, Size(i.SizeBytes) }));
        Add(sections, "Cache candidates", ["Statement", "Calls", "Rows/call", "Expected hit ratio", "Evidence"],
            report.CacheCandidates.Select(c => new[]
            {
                c.Statement, c.Calls.ToString(CultureInfo.InvariantCulture), Invariant($"{c.RowsPerCall:0.##}"), Invariant($"{c.ExpectedHitRatio:P1}"), c.Evidence,
            }));
        Add(sections, "Materialized-view candidates", ["Statement", "Calls", "Mean ms", "Evidence"],
            report.ViewCandidates.Select(v => new[] { v.Statement, v.Calls.ToString(CultureInfo.InvariantCulture), Invariant($"{v.MeanMilliseconds:0.#}"), v.Evidence }));
        Add(sections, "Materialized views that do not pay", ["View", "Refreshes", "Source writes", "Reads", "Evidence"],
            report.MaterializedViews.Select(m => new[]
            {
                m.View, m.Refreshes.ToString(CultureInfo.InvariantCulture), m.SourceWriteStatements.ToString(CultureInfo.InvariantCulture), m.Reads.ToString(CultureInfo.InvariantCulture), m.Evidence,
            }));
        Add(sections, "Cached queries that do not pay", ["Statement", "Reads", "Hit ratio", "Tag invalidations", "Evidence"],
            report.CachedQueriesNotPaying.Select(c => new[]
            {
                c.Statement, c.Reads.ToString(CultureInfo.InvariantCulture), Invariant($"{c.HitRatio:P1}"), c.TagInvalidations.ToString(CultureInfo.InvariantCulture), c.Evidence,
            }));
        sections.Add(new Section("Pool", ["Verdict", "Evidence"], [[report.Pool.Verdict.ToString(), report.Pool.Evidence]]));
        if (!report.LibraryCountersRead)
        {
            sections.Add(new Section("Needs the in-process advisor", ["Finding", "Why not here"],
            [
                ["Pool too small (acquire waits, pending requests)", "Read from Npgsql's pool metrics inside the application; this tool's own pool says nothing about it."],
                ["Cached queries that do not pay (hit ratio, invalidations)", "Read from the query cache's per-query counters inside the application."],
            ]));
        }

        return sections;
    }

    public static string Summary(WorkloadReport report) =>
        Invariant($"{report.StatementsAnalyzed} statements analysed over {report.StatisticsAge.TotalHours:0.#} h of statistics; ")
        + (report.HypotheticalIndexesAvailable ? "index candidates verified with HypoPG" : "HypoPG unavailable: index candidates unverified")
        + (report.NeedsNothing ? "; nothing to optimize." : ".");

    private static string Describe(Indexes.CoveringIndexSuggestion index) =>
        $"{index.Table} ({string.Join(", ", index.KeyColumns)})" + (index.IncludeColumns.Count == 0 ? "" : $" INCLUDE ({string.Join(", ", index.IncludeColumns)})");

    private static void Add(List<Section> sections, string title, string[] columns, IEnumerable<string[]> rows)
    {
        var list = rows.ToList();
        if (list.Count > 0)
        {
            sections.Add(new Section(title, columns, list));
        }
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1 << 30 => Invariant($"{bytes / (double)(1 << 30):0.#} GB"),
        >= 1 << 20 => Invariant($"{bytes / (double)(1 << 20):0.#} MB"),
        >= 1 << 10 => Invariant($"{bytes / 1024.0:0.#} kB"),
        _ => Invariant($"{bytes} B"),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
