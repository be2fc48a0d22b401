using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using OrmPerf.MaterializedViews;
using OrmPerf.Samples.Tour.Measurement;

namespace OrmPerf.Samples.Tour.MaterializedViews;

/// <summary>
/// A sales dashboard: revenue per category over the last 30 days, aggregated live from every order, or read from a
/// materialized view of daily totals. Then the view's refresh while readers keep reading: a plain REFRESH locks
/// readers out for its whole duration; IMaterializedViews.RefreshAsync refreshes CONCURRENTLY.
/// </summary>
internal sealed class MaterializedViewStep : ITourStep
{
    private const string View = "daily_category_sales";

    internal const string LiveDashboard = """
        SELECT p.category, sum(o.amount) AS revenue
        FROM orders o JOIN products p ON p.id = o.product_id
        WHERE o.created_at >= @since
        GROUP BY p.category ORDER BY revenue DESC
        """;

    private const string ViewDashboard = $"""
        SELECT category, sum(revenue) AS revenue FROM {View}
        WHERE day >= @since::date
        GROUP BY category ORDER BY revenue DESC
        """;

    private const int Readers = 4;

    internal static readonly object Since = new { since = new DateTime(2025, 12, 2, 0, 0, 0, DateTimeKind.Utc) };

    public string Title => "Materialized view: live aggregate vs view, refresh under readers";

    public async Task<IReadOnlyList<TourResult>> RunAsync(TourContext context, CancellationToken cancellationToken)
    {
        var views = context.Services.GetRequiredService<IMaterializedViews>();
        await views.EnsureCreatedAsync(
            View,
            """
            SELECT (o.created_at AT TIME ZONE 'UTC')::date AS day, p.category, count(*) AS orders, sum(o.amount) AS revenue
            FROM orders o JOIN products p ON p.id = o.product_id
            GROUP BY 1, 2
            """,
            ["day", "category"],
            cancellationToken);

        var live = await TimeDashboardAsync(context, LiveDashboard, cancellationToken);
        var fromView = await TimeDashboardAsync(context, ViewDashboard, cancellationToken);

        var plain = await ReadDuringAsync(context, async () =>
        {
            await using var connection = await context.DataSource.OpenConnectionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition($"REFRESH MATERIALIZED VIEW {View}", commandTimeout: 300, cancellationToken: cancellationToken));
        }, cancellationToken);
        MaterializedViewRefreshResult? refresh = null;
        var concurrent = await ReadDuringAsync(context, async () => refresh = await views.RefreshAsync(View, cancellationToken), cancellationToken);

        return
        [
            TourResult.LowerIsBetter(
                "materialized view: 30-day revenue by category",
                Figure.Duration(live.Median).With("(live aggregate)"),
                Figure.Duration(fromView.Median).With("(view)"),
                $"median of {context.Sizes.QueryRepeats}; the view holds daily totals"),
            TourResult.LowerIsBetter(
                "materialized view: reader latency during refresh",
                Figure.Duration(plain.Max).With("(plain REFRESH)"),
                Figure.Duration(concurrent.Max).With($"({refresh?.Outcome})"),
                string.Create(CultureInfo.InvariantCulture,
                    $"slowest of {Readers} readers' reads; {plain.Count:N0} vs {concurrent.Count:N0} reads completed during the refresh")),
        ];
    }

    private static Task<Timings> TimeDashboardAsync(TourContext context, string sql, CancellationToken cancellationToken) =>
        Measure.RepeatAsync(context.Sizes.QueryRepeats, async (_, ct) =>
        {
            await using var connection = await context.DataSource.OpenConnectionAsync(ct);
            await connection.QueryAsync(new CommandDefinition(sql, Since, cancellationToken: ct));
        }, cancellationToken);

    /// <summary>
    /// Readers query the view in a loop while <paramref name="refresh"/> runs; returns the latencies of the reads that
    /// overlapped the refresh (a read blocked by it ends after it started).
    /// </summary>
    private static async Task<Timings> ReadDuringAsync(TourContext context, Func<Task> refresh, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = Enumerable.Range(0, Readers).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
        var readers = reading.Select(signal => Task.Run(async () =>
        {
            var reads = new List<(long Begin, long End)>();
            try
            {
                await using var connection = await context.DataSource.OpenConnectionAsync(cancellationToken);
                while (!stop.IsCancellationRequested)
                {
                    var begin = Stopwatch.GetTimestamp();
                    await connection.QueryAsync(new CommandDefinition(ViewDashboard, Since, cancellationToken: cancellationToken));
                    reads.Add((begin, Stopwatch.GetTimestamp()));
                    signal.TrySetResult();
                }
            }
            finally
            {
                // A reader that failed must not leave the refresh waiting for it; its exception surfaces below.
                signal.TrySetResult();
            }

            return reads;
        }, cancellationToken)).ToList();

        await Task.WhenAll(reading.Select(r => r.Task)).WaitAsync(cancellationToken);
        var refreshStarted = Stopwatch.GetTimestamp();
        await refresh();
        var refreshEnded = Stopwatch.GetTimestamp();
        await stop.CancelAsync();
        var reads = (await Task.WhenAll(readers)).SelectMany(r => r);
        return new Timings([.. reads
            .Where(r => r.End >= refreshStarted && r.Begin <= refreshEnded)
            .Select(r => Stopwatch.GetElapsedTime(r.Begin, r.End))]);
    }
}
