using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using OrmPerf.Batching;
using OrmPerf.Samples.Tour.Measurement;

namespace OrmPerf.Samples.Tour.Batching;

/// <summary>
/// Writing many rows: one INSERT statement per row (a round trip and a commit each; timed on a sample, since the whole
/// set would take minutes) against the batch writer's WriteManyAsync (binary COPY, one transaction per batch).
/// </summary>
internal sealed class BatchingStep : ITourStep
{
    public string Title => "Batching: INSERT per row vs the batch writer";

    public async Task<IReadOnlyList<TourResult>> RunAsync(TourContext context, CancellationToken cancellationToken)
    {
        var sample = context.Sizes.RowByRowInserts;
        var rowByRow = await Measure.OnceAsync(async () =>
        {
            await using var connection = await context.DataSource.OpenConnectionAsync(cancellationToken);
            for (long id = 1; id <= sample; id++)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO order_events (id, order_id, kind, amount, created_at) VALUES (@Id, @OrderId, @Kind, @Amount, @CreatedAt)",
                    OrderEvent.Sample(id), cancellationToken: cancellationToken));
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
        ];
    }
}
