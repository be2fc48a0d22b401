using Dapper;
using OrmPerf.AtomicUpdates;
using OrmPerf.Samples.Tour.Measurement;

namespace OrmPerf.Samples.Tour.AtomicUpdates;

/// <summary>
/// Stock reservations from concurrent requests. Read-modify-write (SELECT stock, then UPDATE SET stock = the value
/// read minus one) loses every update that interleaves with another; RowUpdate's Increment is one
/// <c>UPDATE ... SET stock = stock + @delta</c>, so none is lost.
/// </summary>
internal sealed class AtomicUpdateStep : ITourStep
{
    public string Title => "Atomic update: read-modify-write vs RowUpdate.Increment";

    public async Task<IReadOnlyList<TourResult>> RunAsync(TourContext context, CancellationToken cancellationToken)
    {
        var naive = await ReserveConcurrentlyAsync(context, productId: 1, async (connection, ct) =>
        {
            var stock = await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT stock FROM products WHERE id = 1", cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition("UPDATE products SET stock = @stock WHERE id = 1", new { stock = stock - 1 }, cancellationToken: ct));
        }, cancellationToken);
        var atomic = await ReserveConcurrentlyAsync(context, productId: 2, async (connection, ct) =>
            await RowUpdate.Of("products", "id", 2L).Increment("stock", -1).ThrowWhenNoRowChanged().ExecuteAsync(connection, cancellationToken: ct),
            cancellationToken);

        var total = context.Sizes.ConcurrentWorkers * context.Sizes.UpdatesPerWorker;
        return
        [
            new TourResult(
                $"atomic update: {total} concurrent reservations",
                Figure.Count(naive.Lost, "lost").With($"in {Figure.FormatDuration(naive.Time)}"),
                Figure.Count(atomic.Lost, "lost").With($"in {Figure.FormatDuration(atomic.Time)}"),
                atomic.Lost == 0 ? "none lost" : "LOST UPDATES",
                $"{context.Sizes.ConcurrentWorkers} workers × {context.Sizes.UpdatesPerWorker}; lost = reservations the stock does not show"),
        ];
    }

    private static async Task<(long Lost, TimeSpan Time)> ReserveConcurrentlyAsync(
        TourContext context, long productId, Func<Npgsql.NpgsqlConnection, CancellationToken, Task> reserve, CancellationToken cancellationToken)
    {
        var stockSql = new CommandDefinition("SELECT stock FROM products WHERE id = @productId", new { productId }, cancellationToken: cancellationToken);
        await using var connection = await context.DataSource.OpenConnectionAsync(cancellationToken);
        var before = await connection.ExecuteScalarAsync<long>(stockSql);
        var time = await Measure.OnceAsync(() => Task.WhenAll(Enumerable.Range(0, context.Sizes.ConcurrentWorkers).Select(_ => Task.Run(async () =>
        {
            await using var worker = await context.DataSource.OpenConnectionAsync(cancellationToken);
            for (var i = 0; i < context.Sizes.UpdatesPerWorker; i++)
            {
                await reserve(worker, cancellationToken);
            }
        }, cancellationToken))));
        var after = await connection.ExecuteScalarAsync<long>(stockSql);
        var made = (long)context.Sizes.ConcurrentWorkers * context.Sizes.UpdatesPerWorker;
        return (made - (before - after), time);
    }
}
