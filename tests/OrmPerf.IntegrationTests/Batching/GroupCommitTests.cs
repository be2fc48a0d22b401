using Dapper;
using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>Concurrent producers' rows share transactions; each producer's task completes once its row is committed.</summary>
public sealed class GroupCommitTests(TestServers servers)
{
    [Fact]
    public async Task Concurrent_writes_are_grouped_into_few_transactions_and_complete_when_committed()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 500 });
        await using var reader = new NpgsqlConnection(schema.Primary);
        var visibleWhenCompleted = 0;

        var token = TestContext.Current.CancellationToken;
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async producer =>
        {
            for (var i = 0; i < 100; i++)
            {
                var id = producer * 100L + i + 1;
                await writer.WriteAsync(OrderEvent.Good(id), token);
                if (i == 99)
                {
                    await using var check = new NpgsqlConnection(schema.Primary);
                    Interlocked.Add(ref visibleWhenCompleted, await check.ExecuteScalarAsync<int>("SELECT count(*) FROM order_event WHERE id = @id", new { id }));
                }
            }
        }));

        Assert.Equal(32, visibleWhenCompleted);
        Assert.Equal((3_200, 3_200), await OrderEvent.CountAsync(schema));
        var transactions = await reader.ExecuteScalarAsync<long>("SELECT count(DISTINCT xmin::text) FROM order_event");
        Assert.InRange(transactions, 7, 3_200 / 4);
    }

    [Fact]
    public async Task A_lone_row_is_written_after_max_delay_without_waiting_for_a_full_batch()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(
            dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 10_000, MaxDelay = TimeSpan.FromMilliseconds(50) });

        await writer.WriteAsync(OrderEvent.Good(1), TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal((1, 1), await OrderEvent.CountAsync(schema));
    }
}
