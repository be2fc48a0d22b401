using Dapper;
using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>Imports stream through binary COPY in batches, each one transaction, and report their progress.</summary>
public sealed class WriteManyTests(TestServers servers)
{
    [Fact]
    public async Task Rows_from_an_enumerable_arrive_intact_in_batches_with_progress()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions { ImportBatchSize = 2_000 });
        var reports = new List<BatchProgress>();

        var written = await writer.WriteManyAsync(
            Enumerable.Range(1, 10_000).Select(i => OrderEvent.Good(i)), new SynchronousProgress(reports.Add), TestContext.Current.CancellationToken);

        Assert.Equal(10_000, written);
        Assert.Equal([2_000, 4_000, 6_000, 8_000, 10_000], reports.Select(r => r.RowsWritten));
        Assert.Equal(5, reports[^1].Batches);
        Assert.True(reports[^1].RowsPerSecond > 0);
        await using var connection = new NpgsqlConnection(schema.Primary);
        Assert.Equal(5, await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT xmin::text) FROM order_event"));
        Assert.Equal(OrderEvent.Good(4321), await OrderEvent.ReadStoredAsync(connection, 4321));
    }

    [Fact]
    public async Task Rows_from_an_async_stream_are_written()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions { ImportBatchSize = 300 });

        var written = await writer.WriteManyAsync(Produce(1_000), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1_000, written);
        Assert.Equal((1_000, 1_000), await OrderEvent.CountAsync(schema));
    }

    [Fact]
    public async Task An_import_cancelled_mid_batch_keeps_exactly_the_batches_it_reported_and_writes_none_twice()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions { ImportBatchSize = 2_000 });
        var token = TestContext.Current.CancellationToken;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(token);
        await using var blocker = new NpgsqlConnection(schema.Primary);
        await blocker.OpenAsync(token);
        NpgsqlTransaction? tableLock = null;
        var reports = new List<BatchProgress>();

        // Once the second batch has committed the table is locked, so the third batch's COPY waits and is cancelled there.
        var import = writer.WriteManyAsync(Enumerable.Range(1, 10_000).Select(i => OrderEvent.Good(i)), new SynchronousProgress(report =>
        {
            reports.Add(report);
            if (report.Batches == 2)
            {
                tableLock = blocker.BeginTransaction();
                using var lockTable = new NpgsqlCommand("LOCK TABLE order_event IN ACCESS EXCLUSIVE MODE", blocker, tableLock);
                lockTable.ExecuteNonQuery();
            }
        }), cancel.Token);
        await schema.WaitUntilASessionWaitsOnALockAsync(token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => import.WaitAsync(TimeSpan.FromSeconds(30), token));
        await tableLock!.RollbackAsync(token);

        Assert.Equal(4_000, reports[^1].RowsWritten);
        Assert.Equal((4_000, 4_000), await OrderEvent.CountAsync(schema));
        await using var connection = new NpgsqlConnection(schema.Primary);
        Assert.Equal((1L, 4_000L), await connection.QuerySingleAsync<(long, long)>("SELECT min(id), max(id) FROM order_event"));

        // The reported count is where a retry resumes: the rest imports without a duplicate key.
        Assert.Equal(6_000, await writer.WriteManyAsync(Enumerable.Range(4_001, 6_000).Select(i => OrderEvent.Good(i)), cancellationToken: token));
        Assert.Equal((10_000, 10_000), await OrderEvent.CountAsync(schema));
    }

    [Fact]
    public async Task A_source_that_fails_while_a_batch_is_written_lets_that_batch_settle_and_its_error_reaches_the_caller()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions { ImportBatchSize = 1_000 });
        var token = TestContext.Current.CancellationToken;

        // The import reads ahead: the first batch is being written while rows 1,001-1,500 are read and the source fails.
        IEnumerable<OrderEvent> FailingSource()
        {
            for (var i = 1; i <= 1_500; i++)
            {
                yield return OrderEvent.Good(i);
            }

            throw new IOException("the source file was truncated");
        }

        var error = await Assert.ThrowsAsync<IOException>(() => writer.WriteManyAsync(FailingSource(), cancellationToken: token));

        Assert.Equal("the source file was truncated", error.Message);
        // Returned only once the batch in flight had settled: nothing is written after the call.
        Assert.Equal((1_000, 1_000), await OrderEvent.CountAsync(schema));
        await Task.Delay(200, token);
        Assert.Equal((1_000, 1_000), await OrderEvent.CountAsync(schema));
    }

    private static async IAsyncEnumerable<OrderEvent> Produce(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            if (i % 250 == 0)
            {
                await Task.Yield();
            }

            yield return OrderEvent.Good(i);
        }
    }

    private sealed class SynchronousProgress(Action<BatchProgress> report) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => report(value);
    }
}
