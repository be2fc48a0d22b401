using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>Restarting the primary during a stream of writes loses no row, doubles none, and moves no generated key.</summary>
[Collection(ServerFaultsCollection.Name)]
public sealed class PrimaryRestartTests(TestServers servers)
{
    [Fact]
    public async Task Every_row_is_written_exactly_once_across_a_primary_restart()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        using var metrics = new BatchMetricsRecorder($"{schema.Name}.order_event");
        var token = TestContext.Current.CancellationToken;
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions
        {
            MaxBatchSize = 200,
            MaxRetryAttempts = 12,
            RetryBaseDelay = TimeSpan.FromMilliseconds(100),
            RetryMaxDelay = TimeSpan.FromSeconds(2),
        });
        await writer.StartAsync(token);
        const int Producers = 16, RowsEach = 250;
        var committed = 0;

        var stream = Task.WhenAll(Enumerable.Range(0, Producers).Select(async producer =>
        {
            for (var i = 0; i < RowsEach; i++)
            {
                await writer.WriteAsync(OrderEvent.Good(producer * RowsEach + i + 1L), token);
                Interlocked.Increment(ref committed);
                await Task.Delay(2, token);
            }
        }));

        try
        {
            while (Volatile.Read(ref committed) < 500)
            {
                await Task.Delay(10, token);
            }

            await servers.ControlAsync("restart", "primary");
            Assert.True(Volatile.Read(ref committed) < Producers * RowsEach, "The stream ended before the restart; the test proved nothing.");
        }
        finally
        {
            await servers.ControlAsync("start", "primary");

            // The shared pools (the schema's own clean-up among them) still hold connections the restart killed.
            Npgsql.NpgsqlConnection.ClearAllPools();
        }

        await stream.WaitAsync(TimeSpan.FromSeconds(60), token);
        Assert.Equal((Producers * RowsEach, Producers * RowsEach), await OrderEvent.CountAsync(schema));
        Assert.True(metrics.Sum("ormperf.batch.retries") > 0, "no batch was retried: the restart did not hit a write");
    }

    [Fact]
    public async Task Rows_with_generated_keys_keep_the_keys_they_were_stored_under_across_a_primary_restart()
    {
        await using var schema = await Ticket.CreateSchemaAsync(servers);
        using var metrics = new BatchMetricsRecorder($"{schema.Name}.ticket");
        var token = TestContext.Current.CancellationToken;
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<Ticket>(dataSource, Ticket.Map(schema), new BatchWriterOptions
        {
            MaxBatchSize = 100,
            MaxRetryAttempts = 12,
            RetryBaseDelay = TimeSpan.FromMilliseconds(100),
            RetryMaxDelay = TimeSpan.FromSeconds(2),
        });
        await writer.StartAsync(token);
        const int Producers = 8, RowsEach = 250;
        var tickets = Enumerable.Range(1, Producers * RowsEach).Select(Ticket.Numbered).ToList();
        var committed = 0;

        var stream = Task.WhenAll(tickets.Chunk(RowsEach).Select(async own =>
        {
            foreach (var ticket in own)
            {
                await writer.WriteAsync(ticket, token);
                Interlocked.Increment(ref committed);
                await Task.Delay(2, token);
            }
        }));

        try
        {
            while (Volatile.Read(ref committed) < 300)
            {
                await Task.Delay(10, token);
            }

            await servers.ControlAsync("restart", "primary");
            Assert.True(Volatile.Read(ref committed) < tickets.Count, "The stream ended before the restart; the test proved nothing.");
        }
        finally
        {
            await servers.ControlAsync("start", "primary");
            Npgsql.NpgsqlConnection.ClearAllPools();
        }

        await stream.WaitAsync(TimeSpan.FromSeconds(60), token);
        await Ticket.AssertStoredUnderTheirKeysAsync(schema, tickets);
        Assert.True(metrics.Sum("ormperf.batch.retries") > 0, "no batch was retried: the restart did not hit a write");
    }
}
