using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.Batching;
using OrmPerf.Samples.Tour.Measurement;

namespace OrmPerf.Samples.Tour.Batching;

/// <summary>
/// Writing many rows: one INSERT statement per row (a round trip and a commit each; timed on a sample, since the whole
/// set would take minutes) against the batch writer's WriteManyAsync (binary COPY, one transaction per batch). Then
/// awaited requests: N concurrent requests that each write one row and await its commit, as plain INSERTs from as many
/// tasks (each with a pooled connection, pool sized to N) against WriteAsync (group commit).
/// </summary>
internal sealed class BatchingStep : ITourStep
{
    private const string InsertOne = "INSERT INTO order_events (id, order_id, kind, amount, created_at) VALUES (@Id, @OrderId, @Kind, @Amount, @CreatedAt)";

    public string Title => "Batching: INSERT per row vs the batch writer, and awaited requests";

    public async Task<IReadOnlyList<TourResult>> RunAsync(TourContext context, CancellationToken cancellationToken)
    {
        var sample = context.Sizes.RowByRowInserts;
        var rowByRow = await Measure.OnceAsync(async () =>
        {
            await using var connection = await context.DataSource.OpenConnectionAsync(cancellationToken);
            for (long id = 1; id <= sample; id++)
            {
                await connection.ExecuteAsync(new CommandDefinition(InsertOne, OrderEvent.Sample(id), cancellationToken: cancellationToken));
            }
        });

        var writer = context.Services.GetRequiredService<IBatchWriter<OrderEvent>>();
        var batched = context.Sizes.BatchedRows;
        var started = Stopwatch.GetTimestamp();
        var written = await writer.WriteManyAsync(
            Enumerable.Range(sample + 1, batched).Select(i => OrderEvent.Sample(i)), cancellationToken: cancellationToken);
        var batchedTime = Stopwatch.GetElapsedTime(started);

        var rowByRowRate = sample / rowByRow.TotalSeconds;
        var batchedRate = written / batchedTime.TotalSeconds;
        var saved = 1 - rowByRowRate / batchedRate;
        var extrapolated = TimeSpan.FromSeconds(batched / rowByRowRate);
        return
        [
            TourResult.HigherIsBetter(
                "batching: insert rows",
                Figure.Rate(rowByRowRate, "rows/s"),
                Figure.Rate(batchedRate, "rows/s"),
                string.Create(CultureInfo.InvariantCulture,
                    $"{saved * 100:N1}% of the time per row saved (article: 92%); {batched:N0} rows: {Figure.FormatDuration(batchedTime)} vs ~{Figure.FormatDuration(extrapolated)} row by row (timed on {sample:N0})")),
            await AwaitedRequestsAsync(context, writer, firstId: sample + batched + 1, cancellationToken),
        ];
    }

    // N requests at once, each writing its rows one at a time and awaiting each commit, as request handlers would.
    private static async Task<TourResult> AwaitedRequestsAsync(TourContext context, IBatchWriter<OrderEvent> writer, long firstId, CancellationToken cancellationToken)
    {
        var requests = context.Sizes.AwaitedRequests;
        var each = context.Sizes.AwaitedRowsEach;
        var nextId = firstId - 1;
        await using var naivePool = new NpgsqlDataSourceBuilder(context.Primary) { ConnectionStringBuilder = { MaxPoolSize = requests } }.Build();
        Func<Task> naiveRequest = async () =>
        {
            await using var connection = await naivePool.OpenConnectionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(InsertOne, OrderEvent.Sample(Interlocked.Increment(ref nextId)), cancellationToken: cancellationToken));
        };
        Func<Task> groupedRequest = () => writer.WriteAsync(OrderEvent.Sample(Interlocked.Increment(ref nextId)), cancellationToken);

        // One untimed round each first, as a running service would be: the pool's connections opened, the code jitted
        // and the thread pool grown to the requests; a first round's costs would otherwise be a large part of a short run.
        await RunRequestsAsync(requests, 1, naiveRequest);
        var naive = await RunRequestsAsync(requests, each, naiveRequest);
        await RunRequestsAsync(requests, 1, groupedRequest);
        var grouped = await RunRequestsAsync(requests, each, groupedRequest);

        return TourResult.HigherIsBetter(
            $"batching: {requests} awaited requests",
            Figure.Rate(naive.RowsPerSecond, "rows/s"),
            Figure.Rate(grouped.RowsPerSecond, "rows/s"),
            string.Create(CultureInfo.InvariantCulture,
                $"each request writes one row and awaits its commit; p50 per request {naive.P50Ms:N1} ms with concurrent INSERTs vs {grouped.P50Ms:N1} ms with WriteAsync (default options: no MaxDelay)"));
    }

    private static async Task<(double RowsPerSecond, double P50Ms)> RunRequestsAsync(int requests, int each, Func<Task> request)
    {
        var latencies = new double[requests * each];
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, requests).Select(task => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                var sent = Stopwatch.GetTimestamp();
                await request();
                latencies[task * each + i] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(started);
        Array.Sort(latencies);
        return (latencies.Length / elapsed.TotalSeconds, latencies[latencies.Length / 2]);
    }
}
