using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrmPerf.Advisor;
using OrmPerf.Tool;
using Spectre.Console;

// Exit codes: 0 done, 1 bad arguments, 2 the analysis or the index failed, 3 the applied index is not in the new plan.
if (args.Length == 0 || args[0] != "analyze")
{
    Console.Error.WriteLine(AnalyzeArguments.Usage);
    return args.Length > 0 && args[0] is "--help" or "-h" ? 0 : 1;
}

AnalyzeArguments arguments;
try
{
    arguments = AnalyzeArguments.Parse(args[1..]);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(AnalyzeArguments.Usage);
    return 1;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var services = new ServiceCollection();
services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
services.AddOrmPerf(o => o.ConnectionString = arguments.Connection).AddWorkloadAdvisor();
await using var provider = services.BuildServiceProvider();
var console = AnsiConsole.Console;

try
{
    var advisor = provider.GetRequiredService<IWorkloadAdvisor>();
    var options = new WorkloadAdvisorOptions
    {
        Schemas = arguments.Schemas, Instances = arguments.Instances, TopStatements = arguments.Top,
        UseHypotheticalIndexes = arguments.UseHypoPg, CreateExtensions = arguments.CreateExtensions,
        // The tool runs outside the application: its own pools and cache would say nothing about the application's.
        ReadLibraryCounters = false,
    };
    WorkloadReport? report = null;
    await console.Status().StartAsync("Gathering statistics", async context =>
        report = await advisor.AnalyzeAsync(options, new StatusProgress(context), cancel.Token));

    ReportWriters.ToConsole(console, report!);
    if (arguments.MarkdownPath is { } markdown)
    {
        await File.WriteAllTextAsync(markdown, ReportWriters.ToMarkdown(report!), cancel.Token);
        console.WriteLine($"Markdown written to {markdown}");
    }

    if (arguments.JsonPath is { } json)
    {
        await File.WriteAllTextAsync(json, ReportWriters.ToJson(report!), cancel.Token);
        console.WriteLine($"JSON written to {json}");
    }

    if (arguments.ApplyIndex is not { } number)
    {
        return 0;
    }

    if (number > report!.Indexes.Count)
    {
        Console.Error.WriteLine($"--apply-index {number}: the report suggests {report.Indexes.Count} indexes.");
        return 1;
    }

    var recommendation = report.Indexes[number - 1];
    if (!arguments.Yes)
    {
        if (Console.IsInputRedirected)
        {
            Console.Error.WriteLine("--apply-index asks for confirmation on a terminal; pass --yes to apply without asking.");
            return 1;
        }

        if (!await console.ConfirmAsync($"Run {Markup.Escape(recommendation.Index.CreateStatement)}?", defaultValue: false, cancel.Token))
        {
            return 0;
        }
    }

    AppliedIndex? applied = null;
    await console.Status().StartAsync($"Creating {recommendation.Index.IndexName} concurrently", async _ =>
        applied = await advisor.ApplyIndexAsync(recommendation, cancel.Token));
    console.WriteLine($"Created {applied!.IndexName}; estimated cost {applied.CostBefore:0.##} -> {applied.CostAfter:0.##}; "
        + (applied.PlanUsesIndex ? "the plan now uses it." : "the plan does NOT use it: consider dropping it."));
    return applied.PlanUsesIndex ? 0 : 3;
}
catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or OperationCanceledException or ArgumentException)
{
    Console.Error.WriteLine($"ormperf analyze failed: {e.Message}");
    return 2;
}

/// <summary>Shows each phase of the analysis in the status line.</summary>
internal sealed class StatusProgress(StatusContext context) : IProgress<string>
{
    public void Report(string value) => context.Status(Markup.Escape(value) + "...");
}
