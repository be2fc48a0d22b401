using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>A bad row is isolated by splitting its batch: the good rows are committed, the bad one is reported.</summary>
public sealed class BadRowTests(TestServers servers)
{
    [Theory]
    [InlineData(16)]
    [InlineData(0)]
    public async Task Ten_thousand_rows_with_three_bad_ones_commit_9997_and_report_3(int smallBatchInsertLimit)
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var sink = new RecordingSink<OrderEvent>();
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions { ImportBatchSize = 5_000, SmallBatchInsertLimit = smallBatchInsertLimit }, rejectedRows: sink);
        var rows = Enumerable.Range(1, 10_000).Select(i => i switch
        {
            777 => OrderEvent.Good(i) with { Quantity = -1 },
            4_000 => OrderEvent.Good(i) with { Note = null },
            9_999 => OrderEvent.Good(i) with { Amount = 1e12m },
            _ => OrderEvent.Good(i),
        });

        var written = await writer.WriteManyAsync(rows, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(9_997, written);
        Assert.Equal((9_997, 9_997), await OrderEvent.CountAsync(schema));
        var rejected = sink.Rejected.OrderBy(r => r.Row.Id).ToList();
        Assert.Equal([777L, 4_000L, 9_999L], rejected.Select(r => r.Row.Id));
        Assert.Equal([PostgresErrorCodes.CheckViolation, PostgresErrorCodes.NotNullViolation, PostgresErrorCodes.NumericValueOutOfRange], rejected.Select(r => r.Error.SqlState));
    }

    [Fact]
    public async Task A_rejected_row_faults_its_own_write_and_not_its_neighbours()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await schema.ExecuteAsync("INSERT INTO order_event VALUES (5, 1, 'existing', 1, now(), true)");
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(
            dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 100, MaxDelay = TimeSpan.FromMilliseconds(200) });

        var writes = Enumerable.Range(1, 50).Select(i => writer.WriteAsync(OrderEvent.Good(i), TestContext.Current.CancellationToken)).ToList();
        var outcome = await Task.WhenAll(writes.Select(async w => { try { await w; return null; } catch (RowRejectedException e) { return e; } }));

        var rejected = Assert.Single(outcome, e => e is not null)!;
        Assert.Same(outcome[4], rejected);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, rejected.Error.SqlState);
        Assert.Contains("order_event", rejected.Message, StringComparison.Ordinal);
        Assert.Equal((50, 50), await OrderEvent.CountAsync(schema));
    }
}
