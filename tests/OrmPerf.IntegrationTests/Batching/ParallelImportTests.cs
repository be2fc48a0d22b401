using Dapper;
using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>
/// <see cref="BatchWriterOptions.ImportParallelism"/>: an import's batches written as parallel COPY streams on separate
/// connections, each its own transaction, committing in any order.
/// </summary>
public sealed class ParallelImportTests(TestServers servers)
{
    [Fact]
    public async Task Every_row_is_stored_exactly_once_in_one_transaction_per_batch_over_several_connections()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions { ImportBatchSize = 1_000, ImportParallelism = 3 });
        var reports = new List<BatchProgress>();

        var written = await writer.WriteManyAsync(Enumerable.Range(1, 20_500).Select(i => OrderEvent.Good(i)), new SynchronousProgress(reports.Add), TestContext.Current.CancellationToken);

        Assert.Equal(20_500, written);
        Assert.Equal((20_500, 20_500), await OrderEvent.CountAsync(schema));
        await using var connection = new NpgsqlConnection(schema.Primary);
        Assert.Equal((1L, 20_500L), await connection.QuerySingleAsync<(long, long)>("SELECT min(id), max(id) FROM order_event"));
        Assert.Equal(21, await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT xmin::text) FROM order_event"));
        Assert.Equal(21, reports.Count);
        Assert.Equal(reports.Select(r => r.RowsWritten).Order(), reports.Select(r => r.RowsWritten)); // never backwards
        Assert.Equal((20_500L, 21), (reports[^1].RowsWritten, reports[^1].Batches));
        Assert.Equal(OrderEvent.Good(13579), await OrderEvent.ReadStoredAsync(connection, 13579));
    }

    [Fact]
    public async Task A_refused_row_and_a_null_are_set_aside_and_every_other_row_of_every_stream_commits()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var sink = new RecordingSink<OrderEvent>();
        await using var writer = new BatchWriter<OrderEvent>(
            dataSource, OrderEvent.Map(schema), new BatchWriterOptions { ImportBatchSize = 1_000, ImportParallelism = 2 }, rejectedRows: sink);
        var rows = Enumerable.Range(1, 10_000).Select(i => i switch
        {
            777 => OrderEvent.Good(i) with { Quantity = -1 },
            5_000 => null,
            9_999 => OrderEvent.Good(i) with { Amount = 1e12m },
            _ => OrderEvent.Good(i),
        });

        var written = await writer.WriteManyAsync(rows!, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(9_997, written);
        Assert.Equal((9_997, 9_997), await OrderEvent.CountAsync(schema));
        var rejected = sink.Rejected.OrderBy(r => r.Row.Id).ToList();
        Assert.Equal([777L, 9_999L], rejected.Select(r => r.Row.Id));
        Assert.Equal([PostgresErrorCodes.CheckViolation, PostgresErrorCodes.NumericValueOutOfRange], rejected.Select(r => r.Error.SqlState));
        var unwritable = Assert.Single(sink.Unwritable);
        Assert.Equal(4_999L, unwritable.ImportIndex);
        Assert.IsType<ArgumentNullException>(unwritable.Error);
    }

    [Fact]
    public async Task An_import_cancelled_while_streams_are_blocked_stores_exactly_the_batches_it_reported()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions { ImportBatchSize = 2_000, ImportParallelism = 3 });
        var token = TestContext.Current.CancellationToken;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(token);
        await using var blocker = new NpgsqlConnection(schema.Primary);
        await blocker.OpenAsync(token);
        NpgsqlTransaction? tableLock = null;
        var reports = new List<BatchProgress>();

        // Once a batch has committed the table is locked: the streams still writing (or starting) wait, and are cancelled there.
        var import = writer.WriteManyAsync(Enumerable.Range(1, 20_000).Select(i => OrderEvent.Good(i)), new SynchronousProgress(report =>
        {
            reports.Add(report);
            if (tableLock is null)
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

        // What was reported is exactly what is stored: whole batches (not necessarily a prefix), none twice.
        var reported = reports[^1].RowsWritten;
        Assert.InRange(reported, 2_000, 18_000);
        Assert.Equal((reported, reported), await OrderEvent.CountAsync(schema));
        await using var connection = new NpgsqlConnection(schema.Primary);
        var perBatch = (await connection.QueryAsync<long>("SELECT count(*) FROM order_event GROUP BY (id - 1) / 2000")).ToList();
        Assert.All(perBatch, rows => Assert.Equal(2_000, rows));
        await Task.Delay(200, token);
        Assert.Equal((reported, reported), await OrderEvent.CountAsync(schema));
    }

    [Theory]
    [InlineData(WriteMode.Upsert)]
    [InlineData(WriteMode.InsertOrIgnore)]
    public async Task Upserts_keep_their_order_and_refuse_parallel_streams(WriteMode mode)
    {
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var map = new TableMapBuilder<OrderEvent>().Table("order_event").Column(e => e.Id).Key("id").Build();

        var error = Assert.Throws<ArgumentException>(() => new BatchWriter<OrderEvent>(dataSource, map, new BatchWriterOptions { Mode = mode, ImportParallelism = 2 }));

        Assert.Contains("ImportParallelism", error.Message, StringComparison.Ordinal);
        Assert.Contains(mode.ToString(), error.Message, StringComparison.Ordinal);
    }

    private sealed class SynchronousProgress(Action<BatchProgress> report) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => report(value);
    }
}
