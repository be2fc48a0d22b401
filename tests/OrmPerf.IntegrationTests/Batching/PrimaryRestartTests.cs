using System.Diagnostics;
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
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), Retrying(maxBatchSize: 200));
        const int Producers = 16, RowsEach = 250;
        var producers = Enumerable.Range(0, Producers)
            .Select(producer => Enumerable.Range(1, RowsEach).Select(i => OrderEvent.Good((long)producer * RowsEach + i)).ToArray())
            .ToList();

        await WriteThroughARestartAsync(writer, producers, restartAfter: 500);

        Assert.Equal((Producers * RowsEach, Producers * RowsEach), await OrderEvent.CountAsync(schema));
        Assert.True(metrics.Sum("ormperf.batch.retries") > 0, "no batch was retried: the restart did not hit a write");
    }

    [Fact]
    public async Task Rows_with_generated_keys_keep_the_keys_they_were_stored_under_across_a_primary_restart()
    {
        await using var schema = await Ticket.CreateSchemaAsync(servers);
        using var metrics = new BatchMetricsRecorder($"{schema.Name}.ticket");
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<Ticket>(dataSource, Ticket.Map(schema), Retrying(maxBatchSize: 100));
        var tickets = Enumerable.Range(1, 8 * 250).Select(Ticket.Numbered).ToList();

        await WriteThroughARestartAsync(writer, tickets.Chunk(250).ToList(), restartAfter: 300);

        await Ticket.AssertStoredUnderTheirKeysAsync(schema, tickets);
        Assert.True(metrics.Sum("ormperf.batch.retries") > 0, "no batch was retried: the restart did not hit a write");
    }

    [Fact]
    public async Task Upserted_rows_learn_the_keys_they_are_stored_under_across_a_primary_restart()
    {
        await using var schema = await Ticket.CreateSchemaAsync(servers);
        await schema.ExecuteAsync("ALTER TABLE ticket ADD UNIQUE (title)");
        using var metrics = new BatchMetricsRecorder($"{schema.Name}.ticket");
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(servers.Primary);
        var options = Retrying(maxBatchSize: 100);
        options.Mode = WriteMode.Upsert;
        await using var writer = new BatchWriter<Ticket>(dataSource, Ticket.Map(schema, "title"), options);
        var tickets = Enumerable.Range(1, 8 * 250).Select(Ticket.Numbered).ToList();

        await WriteThroughARestartAsync(writer, tickets.Chunk(250).ToList(), restartAfter: 300);

        await Ticket.AssertStoredUnderTheirKeysAsync(schema, tickets);
        Assert.True(metrics.Sum("ormperf.batch.retries") > 0, "no batch was retried: the restart did not hit a write");
    }

    private static BatchWriterOptions Retrying(int maxBatchSize) => new()
    {
        MaxBatchSize = maxBatchSize,
        MaxRetryAttempts = 12,
        RetryBaseDelay = TimeSpan.FromMilliseconds(100),
        RetryMaxDelay = TimeSpan.FromSeconds(2),
    };

    // Each producer writes its rows one by one, awaiting each; the primary restarts once restartAfter rows committed.
    private async Task WriteThroughARestartAsync<T>(BatchWriter<T> writer, IReadOnlyList<T[]> producers, int restartAfter)
    {
        var token = TestContext.Current.CancellationToken;
        await writer.StartAsync(token);
        var committed = 0;
        var stream = Task.WhenAll(producers.Select(async own =>
        {
            foreach (var row in own)
            {
                await writer.WriteAsync(row, token);
                Interlocked.Increment(ref committed);
                await Task.Delay(2, token);
            }
        }));

        try
        {
            var waiting = Stopwatch.StartNew();
            while (Volatile.Read(ref committed) < restartAfter)
            {
                if (stream.IsCompleted)
                {
                    await stream; // a producer failed before the restart: its error is the test's failure
                }

                Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(30), $"Only {committed} of {restartAfter} rows committed within 30 s before the restart.");
                await Task.Delay(10, token);
            }

            await servers.ControlAsync("restart", "primary");
            Assert.True(Volatile.Read(ref committed) < producers.Sum(p => p.Length), "The stream ended before the restart; the test proved nothing.");
        }
        finally
        {
            await servers.ControlAsync("start", "primary");

            // The shared pools (the schema's own clean-up among them) still hold connections the restart killed.
            Npgsql.NpgsqlConnection.ClearAllPools();
        }

        await stream.WaitAsync(TimeSpan.FromSeconds(60), token);
    }
}
