using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace OrmPerf.Samples.Tour.Measurement;

/// <summary>The results of one run, shown as a terminal table and saved as Markdown and JSON to compare runs.</summary>
internal sealed record TourReport(
    DateTimeOffset StartedAt, TimeSpan Duration, string Machine, string Servers, string Data, IReadOnlyList<string> Notes, IReadOnlyList<TourResult> Results)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public Table ToTable()
    {
        var table = new Table().Border(TableBorder.Rounded).Title("OrmPerf tour")
            .AddColumn("technique").AddColumn("naive").AddColumn("OrmPerf").AddColumn(new TableColumn("speed-up").RightAligned()).AddColumn("note");
        foreach (var result in Results)
        {
            table.AddRow(
                Markup.Escape(result.Technique), Markup.Escape(result.Naive.Text), $"[green]{Markup.Escape(result.OrmPerf.Text)}[/]",
                $"[bold]{Markup.Escape(result.Gain)}[/]", $"[grey]{Markup.Escape(result.Note)}[/]");
        }

        return table;
    }

    /// <summary>Writes <c>results.md</c> and <c>results.json</c> into <paramref name="directory"/>; returns their paths.</summary>
    public async Task<(string Markdown, string Json)> SaveAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var markdown = Path.GetFullPath(Path.Combine(directory, "results.md"));
        var json = Path.GetFullPath(Path.Combine(directory, "results.json"));
        await File.WriteAllTextAsync(markdown, ToMarkdown(), cancellationToken);
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(this, JsonOptions), cancellationToken);
        return (markdown, json);
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("# OrmPerf tour results").AppendLine();
        text.AppendLine(Invariant($"- run: {StartedAt:yyyy-MM-dd HH:mm} UTC, {Duration.TotalSeconds:N0} s"));
        text.AppendLine($"- machine: {Machine}");
        text.AppendLine($"- servers: {Servers}");
        text.AppendLine($"- data: {Data}");
        foreach (var note in Notes)
        {
            text.AppendLine($"- {note}");
        }

        text.AppendLine().AppendLine("| technique | naive | OrmPerf | speed-up | note |").AppendLine("|---|---|---|---:|---|");
        foreach (var r in Results)
        {
            text.AppendLine($"| {Cell(r.Technique)} | {Cell(r.Naive.Text)} | {Cell(r.OrmPerf.Text)} | {Cell(r.Gain)} | {Cell(r.Note)} |");
        }

        return text.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
