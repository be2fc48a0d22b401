using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrmPerf.Advisor;
using Spectre.Console;

namespace OrmPerf.Tool;

/// <summary>Writes the report to the console (Spectre tables), as Markdown and as JSON.</summary>
internal static class ReportWriters
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        // A file for people and tools, never embedded in HTML: keep quotes and apostrophes in statements readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void ToConsole(IAnsiConsole console, WorkloadReport report)
    {
        foreach (var note in report.Notes)
        {
            console.MarkupLine("[yellow]note:[/] " + Markup.Escape(note));
        }

        foreach (var section in ReportSections.From(report))
        {
            var table = new Table { Title = new TableTitle(section.Title), Border = TableBorder.Rounded };
            foreach (var column in section.Columns)
            {
                table.AddColumn(new TableColumn(Markup.Escape(column)));
            }

            foreach (var row in section.Rows)
            {
                // Text, not markup: statements contain brackets.
                table.AddRow(row.Select(cell => (Spectre.Console.Rendering.IRenderable)new Text(cell)).ToArray());
            }

            console.Write(table);
        }

        console.WriteLine(ReportSections.Summary(report));
    }

    public static string ToMarkdown(WorkloadReport report)
    {
        var text = new StringBuilder("# OrmPerf workload report\n\n").Append(ReportSections.Summary(report)).Append("\n\n");
        foreach (var note in report.Notes)
        {
            text.Append("> Note: ").Append(note).Append('\n');
        }

        foreach (var section in ReportSections.From(report))
        {
            text.Append("\n## ").Append(section.Title).Append("\n\n| ").AppendJoin(" | ", section.Columns).Append(" |\n|")
                .Append(string.Concat(Enumerable.Repeat("---|", section.Columns.Length))).Append('\n');
            foreach (var row in section.Rows)
            {
                text.Append("| ").AppendJoin(" | ", row.Select(Cell)).Append(" |\n");
            }
        }

        return text.ToString();
    }

    public static string ToJson(WorkloadReport report) => JsonSerializer.Serialize(report, Json);

    private static string Cell(string value) => value.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
