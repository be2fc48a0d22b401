using System.Data.Common;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using OrmPerf.Caching;
using OrmPerf.Samples.Tour.Measurement;

namespace OrmPerf.Samples.Tour.Caching;

/// <summary>
/// A cache stampede: a popular report expires and many requests ask for it at once. Without the cache each runs the
/// query; the query cache runs it once and hands the result to every waiter. The count is taken on the server: the
/// report's statement logs each run in a table.
/// </summary>
internal sealed class StampedeStep : ITourStep
{
    public string Title => "Query cache: stampede of concurrent misses";

    public async Task<IReadOnlyList<TourResult>> RunAsync(TourContext context, CancellationToken cancellationToken)
    {
        var dataSource = context.Services.GetRequiredService<DbDataSource>();
        var cache = context.Services.GetRequiredService<IQueryCache>();
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "CREATE TABLE report_calls (at timestamptz NOT NULL DEFAULT clock_timestamp())", cancellationToken: cancellationToken));
        }

        // A data-modifying WITH runs exactly once per execution of the statement: one logged row per query run.
        const string Sql = "WITH logged AS (INSERT INTO report_calls DEFAULT VALUES) " + TopProduct.BestSellers;
        var report = TopProduct.Parameters(windows: 1).Last();
        var requests = context.Sizes.StampedeRequests;

        var withoutCache = await StampedeAsync(context, requests, async ct =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await connection.QueryAsync<TopProduct>(new CommandDefinition(Sql, report, cancellationToken: ct));
        }, cancellationToken);
        var withCache = await StampedeAsync(context, requests, async ct =>
            await dataSource.QueryCachedAsync<TopProduct>(cache, Sql, report, cancellationToken: ct), cancellationToken);

        return
        [
            TourResult.LowerIsBetter(
                $"query cache: stampede of {requests} concurrent misses",
                Figure.Count(withoutCache.Queries, Queries(withoutCache.Queries)).With($"in {Figure.FormatDuration(withoutCache.Time)}"),
                Figure.Count(withCache.Queries, Queries(withCache.Queries)).With($"in {Figure.FormatDuration(withCache.Time)}"),
                "queries counted on the server"),
        ];
    }

    private static string Queries(long count) => count == 1 ? "query" : "queries";

    /// <summary>Releases every request at once and returns how many report queries the server ran, and how long all took.</summary>
    private static async Task<(long Queries, TimeSpan Time)> StampedeAsync(TourContext context, int requests, Func<CancellationToken, Task> request, CancellationToken cancellationToken)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var all = Enumerable.Range(0, requests).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            await request(cancellationToken);
        }, cancellationToken)).ToList();
        var time = await Measure.OnceAsync(async () =>
        {
            start.SetResult();
            await Task.WhenAll(all);
        });

        await using var connection = await context.DataSource.OpenConnectionAsync(cancellationToken);
        var queries = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "WITH taken AS (DELETE FROM report_calls RETURNING 1) SELECT count(*) FROM taken", cancellationToken: cancellationToken));
        return (queries, time);
    }
}
