using Dapper;
using OrmPerf.Samples.Tour;
using Spectre.Console;

// The tour of OrmPerf's techniques, each measured the naive way and the OrmPerf way in the same run.
// ./eng/demo.sh starts the servers and passes them through the environment; see TourSettings for the arguments.
var settings = TourSettings.Parse(args, out var error);
if (settings is null)
{
    AnsiConsole.MarkupLine($"[red]{Markup.Escape(error!)}[/]");
    return 2;
}

// The tour's DTOs use PascalCase properties for snake_case columns, as most Dapper applications configure it.
DefaultTypeMap.MatchNamesWithUnderscores = true;

using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Let the tour unwind: its finally blocks resume the replica and drop the schema.
    e.Cancel = true;
    interrupted.Cancel();
};

try
{
    await TourRun.RunAsync(settings, interrupted.Token);
    return 0;
}
catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
{
    AnsiConsole.MarkupLine("[yellow]Interrupted; the tour's schema was dropped.[/]");
    return 130;
}
