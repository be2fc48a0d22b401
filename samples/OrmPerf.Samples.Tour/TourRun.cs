using System.Diagnostics;
using System.Runtime.InteropServices;
using OrmPerf.Samples.Tour.Advisor;
using OrmPerf.Samples.Tour.AtomicUpdates;
using OrmPerf.Samples.Tour.Batching;
using OrmPerf.Samples.Tour.Caching;
using OrmPerf.Samples.Tour.Connections;
using OrmPerf.Samples.Tour.Indexes;
using OrmPerf.Samples.Tour.MaterializedViews;
using OrmPerf.Samples.Tour.Measurement;
using OrmPerf.Samples.Tour.Projections;
using OrmPerf.Samples.Tour.Routing;
using OrmPerf.Samples.Tour.Setup;
using Spectre.Console;

namespace OrmPerf.Samples.Tour;

/// <summary>One run of the tour: schema and data, the service, every step under a progress display, the report.</summary>
internal static class TourRun
{
    private static readonly ITourStep[] Steps =
    [
        new PoolingStep(),
        new BatchingStep(),
        new AdvisorStep(),
        new CoveringIndexStep(),
        new MaterializedViewStep(),
        new PartialLoadingStep(),
        new QueryCacheStep(),
        new StampedeStep(),
        new ReplicaStep(),
        new AtomicUpdateStep(),
    ];

    public static async Task RunAsync(TourSettings settings, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var notes = new List<string>();
        if (settings.Redis is null)
        {
            notes.Add("No Redis given: the query cache runs in memory only (no Redis row).");
        }

        if (settings.Replica is null)
        {
            notes.Add("No replica given: the router sends every read to the primary.");
        }

        if (settings.Note is { } note)
        {
            notes.Add(note);
        }

        foreach (var line in notes)
        {
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(line)}[/]");
        }

        var database = TourDatabase.WithNewSchema(settings.Primary);
        var results = new List<TourResult>();
        var version = "";
        try
        {
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    var setup = progress.AddTask(Markup.Escape($"Schema {database.Schema}: {settings.Sizes}"), maxValue: 1);
                    var steps = Steps.Select(s => (Step: s, Task: progress.AddTask(Markup.Escape(s.Title), autoStart: false, maxValue: 1))).ToList();

                    version = await database.CreateAsync(cancellationToken);
                    await database.SeedAsync(settings.Sizes, cancellationToken);
                    setup.Increment(1);

                    // The batch writer checks its table when the host starts, so the host starts after the schema exists.
                    using var host = TourHost.Build(settings, database);
                    await host.StartAsync(cancellationToken);
                    try
                    {
                        var context = new TourContext(settings, database, host.Services);
                        foreach (var (step, task) in steps)
                        {
                            task.StartTask();
                            results.AddRange(await step.RunAsync(context, cancellationToken));
                            task.Increment(1);
                        }
                    }
                    finally
                    {
                        await host.StopAsync(CancellationToken.None);
                    }
                });
        }
        finally
        {
            await database.DropAsync();
        }

        var report = new TourReport(
            startedAt,
            clock.Elapsed,
            $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}",
            $"PostgreSQL {version} primary; replica: {(settings.Replica is null ? "none" : "streaming")}; Redis: {(settings.Redis is null ? "none" : "yes")}",
            settings.Sizes.ToString(),
            notes,
            results);
        AnsiConsole.Write(report.ToTable());
        var (markdown, json) = await report.SaveAsync(settings.OutputDirectory, cancellationToken);
        AnsiConsole.MarkupLine($"Results written to [bold]{Markup.Escape(markdown)}[/] and [bold]{Markup.Escape(json)}[/]");
    }
}
