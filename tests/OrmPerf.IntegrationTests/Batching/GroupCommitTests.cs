using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Time.Testing;
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
    public async Task An_idle_writer_commits_a_lone_row_at_once_without_waiting_for_max_delay_on_the_injected_clock()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        // The fake clock never moves: a row that waited for any timer (a linger, a MaxDelay) would never be written.
        var clock = new FakeTimeProvider();
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions(), clock);
        var token = TestContext.Current.CancellationToken;

        await writer.WriteAsync(OrderEvent.Good(1), token).WaitAsync(TimeSpan.FromSeconds(10), token);
        Assert.Equal((1, 1), await OrderEvent.CountAsync(schema));
        await writer.WriteAsync(OrderEvent.Good(2), token).WaitAsync(TimeSpan.FromSeconds(10), token);

        Assert.Equal((2, 2), await OrderEvent.CountAsync(schema));
        Assert.Equal(TimeSpan.Zero, new BatchWriterOptions().MaxDelay);
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

    [Fact]
    public async Task A_partial_batch_waits_for_max_delay_on_the_injected_clock()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var clock = new FakeTimeProvider();
        await using var writer = new BatchWriter<OrderEvent>(
            dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 100, MaxDelay = TimeSpan.FromMinutes(5) }, clock);
        var token = TestContext.Current.CancellationToken;

        var writes = Enumerable.Range(1, 3).Select(i => writer.WriteAsync(OrderEvent.Good(i), token)).ToList();

        // The loop has taken the first row (or all three) and waits on the fake clock, which does not move by itself.
        // Rows it has not taken stay queued until then: a started batch only wakes early for a full batch.
        await Task.Delay(300, token);
        Assert.All(writes, w => Assert.False(w.IsCompleted));
        Assert.Equal((0, 0), await OrderEvent.CountAsync(schema));

        // Advanced in a loop: on a busy machine the loop may start its MaxDelay timer only after the first advance.
        var deadline = Stopwatch.StartNew();
        var all = Task.WhenAll(writes);
        while (!all.IsCompleted)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "The rows were not written after MaxDelay passed on the injected clock.");
            clock.Advance(TimeSpan.FromMinutes(5));
            await Task.Delay(20, token);
        }

        await all;
        Assert.Equal((3, 3), await OrderEvent.CountAsync(schema));
        await using var reader = new NpgsqlConnection(schema.Primary);
        Assert.Equal(1, await reader.ExecuteScalarAsync<long>("SELECT count(DISTINCT xmin::text) FROM order_event"));
    }
}
