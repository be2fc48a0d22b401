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
        var stored = await connection.QuerySingleAsync<(long, int, string, decimal, DateTime, bool)>(
            "SELECT id, quantity, note, amount, created_at, paid FROM order_event WHERE id = 4321");
        Assert.Equal(OrderEvent.Good(4321), new OrderEvent(stored.Item1, stored.Item2, stored.Item3, stored.Item4, stored.Item5.ToUniversalTime(), stored.Item6));
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
