using Dapper;
using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>
/// Several <c>WriteAsync</c> batches may commit at once (<see cref="BatchWriterOptions.MaxConcurrentBatches"/>): a
/// later batch is not held up by an earlier one that waits, each producer's task still completes only when its own
/// batch has committed, shutdown waits for every batch in flight, and upserts stay one batch at a time by default.
/// </summary>
public sealed class ConcurrentBatchesTests(TestServers servers)
{
    [Fact]
    public async Task A_later_batch_commits_while_an_earlier_one_waits_and_stop_drains_the_waiting_one()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        using var metrics = new BatchMetricsRecorder($"{schema.Name}.order_event");
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var writer = new BatchWriter<OrderEvent>(
            dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 50, MaxDelay = TimeSpan.FromMilliseconds(10) });
        var token = TestContext.Current.CancellationToken;
        await using var blocker = await HoldUncommittedRowAsync(schema, 1, token);

        // Row 1 conflicts with the blocker's uncommitted row: its batch waits on the lock until the blocker ends.
        var first = writer.WriteAsync(OrderEvent.Good(1), token);
        await schema.WaitUntilASessionWaitsOnALockAsync(token);
        var later = Enumerable.Range(2, 200).Select(i => writer.WriteAsync(OrderEvent.Good(i), token)).ToList();

        await Task.WhenAll(later).WaitAsync(TimeSpan.FromSeconds(20), token);
        Assert.False(first.IsCompleted, "row 1's batch has not committed, so its task must not have completed");
        Assert.Equal(200, await CountCommittedAsync(schema, token));

        var stop = writer.StopAsync(token);
        await Task.Delay(300, token);
        Assert.False(stop.IsCompleted, "StopAsync must wait for the batch still in flight");

        await blocker.Transaction.RollbackAsync(token);
        await stop.WaitAsync(TimeSpan.FromSeconds(20), token);
        await first.WaitAsync(TimeSpan.FromSeconds(5), token); // its batch committed during the drain
        Assert.Equal((201, 201), await OrderEvent.CountAsync(schema));
        Assert.Equal(201, metrics.Sum("ormperf.batch.size"));
        Assert.Equal(0, metrics.Sum("ormperf.batch.queue.depth"));
        await writer.DisposeAsync();
    }

    [Fact]
    public async Task A_batch_ending_while_another_is_in_flight_starts_no_further_one_for_fewer_rows_than_a_batch()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        using var metrics = new BatchMetricsRecorder($"{schema.Name}.order_event");
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 100 });
        var token = TestContext.Current.CancellationToken;
        await using var blocker = await HoldUncommittedRowAsync(schema, 1, token);

        var first = writer.WriteAsync(OrderEvent.Good(1), token);
        await schema.WaitUntilASessionWaitsOnALockAsync(token);
        var fullBatch = Enumerable.Range(2, 100).Select(i => writer.WriteAsync(OrderEvent.Good(i), token)).ToList();
        await Task.WhenAll(fullBatch).WaitAsync(TimeSpan.FromSeconds(20), token);

        // The second slot is free again, but ten rows do not pay for a transaction of their own while row 1's is in
        // flight: they wait for it (or for a batch's worth of rows) and ride the next commit.
        var few = Enumerable.Range(102, 10).Select(i => writer.WriteAsync(OrderEvent.Good(i), token)).ToList();
        await Task.Delay(500, token);
        Assert.False(few.Any(w => w.IsCompleted), "ten rows must not start a batch of their own while another is in flight");
        Assert.Equal(100, await CountCommittedAsync(schema, token));

        await blocker.Transaction.RollbackAsync(token);
        await Task.WhenAll([first, .. few]).WaitAsync(TimeSpan.FromSeconds(20), token);
        Assert.Equal((111, 111), await OrderEvent.CountAsync(schema));
        Assert.Equal(3, metrics.Count("ormperf.batch.size")); // row 1's, the full one, and the ten together
    }

    [Fact]
    public async Task Upserts_commit_one_batch_at_a_time_by_default_so_the_newer_version_of_a_key_wins()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(
            dataSource, OrderEvent.Map(schema), new BatchWriterOptions { Mode = WriteMode.Upsert, MaxBatchSize = 50, MaxDelay = TimeSpan.FromMilliseconds(10) });
        var token = TestContext.Current.CancellationToken;
        await using var blocker = await HoldUncommittedRowAsync(schema, 1, token);

        var older = writer.WriteAsync(OrderEvent.Good(1) with { Note = "older" }, token);
        await schema.WaitUntilASessionWaitsOnALockAsync(token);
        var newer = writer.WriteAsync(OrderEvent.Good(1) with { Note = "newer" }, token);
        var others = Enumerable.Range(2, 100).Select(i => writer.WriteAsync(OrderEvent.Good(i), token)).ToList();

        await Task.Delay(500, token);
        Assert.False(newer.IsCompleted || others.Any(w => w.IsCompleted), "no later batch may commit before the waiting one");
        Assert.Equal(0, await CountCommittedAsync(schema, token));

        await blocker.Transaction.RollbackAsync(token);
        await Task.WhenAll([older, newer, .. others]).WaitAsync(TimeSpan.FromSeconds(20), token);
        await using var connection = new NpgsqlConnection(schema.Primary);
        Assert.Equal("newer", await connection.ExecuteScalarAsync<string>("SELECT note FROM order_event WHERE id = 1"));
        Assert.Equal((101, 101), await OrderEvent.CountAsync(schema));
    }

    [Fact]
    public async Task Many_producers_with_several_batches_in_flight_write_every_row_exactly_once()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var sink = new RecordingSink<OrderEvent>();
        await using var writer = new BatchWriter<OrderEvent>(
            dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 100, QueueCapacity = 200, MaxConcurrentBatches = 4 }, rejectedRows: sink);
        var token = TestContext.Current.CancellationToken;

        // Every 1,000th row breaks the CHECK constraint: bad rows are isolated in whichever batch carries them.
        var writes = await Task.WhenAll(Enumerable.Range(0, 16).Select(producer => Task.Run(async () =>
        {
            var tasks = new List<Task>();
            for (var i = 1; i <= 625; i++)
            {
                var id = producer * 625L + i;
                tasks.Add(writer.WriteAsync(id % 1_000 == 0 ? OrderEvent.Good(id) with { Quantity = -1 } : OrderEvent.Good(id), token));
            }

            return tasks;
        }, token)));

        var outcomes = writes.SelectMany(t => t).ToList();
        await Assert.ThrowsAsync<RowRejectedException>(() => Task.WhenAll(outcomes).WaitAsync(TimeSpan.FromSeconds(60), token));
        Assert.Equal(10, outcomes.Count(t => t.Exception?.InnerException is RowRejectedException));
        Assert.Equal(9_990, outcomes.Count(t => t.IsCompletedSuccessfully));
        Assert.Equal(10, sink.Rejected.Count);
        Assert.Equal((9_990, 9_990), await OrderEvent.CountAsync(schema));
    }

    // A transaction that inserted the row `id` and has not committed: a batch carrying the same key waits for it.
    private static async Task<Blocker> HoldUncommittedRowAsync(TestSchema schema, long id, CancellationToken token)
    {
        var connection = new NpgsqlConnection(schema.Primary);
        await connection.OpenAsync(token);
        var transaction = await connection.BeginTransactionAsync(token);
        await connection.ExecuteAsync(
            "INSERT INTO order_event VALUES (@id, 0, 'blocker', 0, now(), false)", new { id }, transaction);
        return new Blocker(connection, transaction);
    }

    private static async Task<long> CountCommittedAsync(TestSchema schema, CancellationToken token)
    {
        await using var connection = new NpgsqlConnection(schema.Primary);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM order_event", cancellationToken: token));
    }

    private sealed record Blocker(NpgsqlConnection Connection, NpgsqlTransaction Transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }
}
