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
    public async Task Every_row_is_written_exactly_once_when_a_backend_of_the_writer_is_killed_and_the_server_recovers_from_the_crash()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        using var metrics = new BatchMetricsRecorder($"{schema.Name}.order_event");
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(servers.Primary + $";Application Name={schema.Name}");
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), Retrying(maxBatchSize: 200));
        const int Producers = 16, RowsEach = 250;
        var producers = Enumerable.Range(0, Producers)
            .Select(producer => Enumerable.Range(1, RowsEach).Select(i => OrderEvent.Good((long)producer * RowsEach + i)).ToArray())
            .ToList();
        var before = await ServerLifeAsync();

        // A backend killed with -9 makes the postmaster end every session and recover from the crash, unwritten WAL
        // (and with it transaction ids) lost, while the postmaster itself, and its start time, live on.
        await WriteThroughARestartAsync(writer, producers, restartAfter: 500, fault: KillAWriterBackendAsync);

        Assert.Equal((Producers * RowsEach, Producers * RowsEach), await OrderEvent.CountAsync(schema));
        Assert.True(metrics.Sum("ormperf.batch.retries") > 0, "no batch was retried: the crash did not hit a write");
        var after = await ServerLifeAsync();
        Assert.Equal(before.Started, after.Started);
        Assert.NotEqual(before.CrashMark, after.CrashMark);

        async Task KillAWriterBackendAsync()
        {
            int pid;
            await using (var connection = new Npgsql.NpgsqlConnection(servers.Primary))
            {
                await connection.OpenAsync(TestContext.Current.CancellationToken);
                await using var find = new Npgsql.NpgsqlCommand(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = @schema ORDER BY backend_start LIMIT 1", connection);
                find.Parameters.AddWithValue("schema", schema.Name);
                pid = (int)(await find.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
            }

            using (var backend = Process.GetProcessById(pid))
            {
                backend.Kill();
            }

            Assert.True(
                await Poll.UntilAsync(async () => await ServerLifeAsync() is { CrashMark: var mark } life && life != default && mark != before.CrashMark, true, TimeSpan.FromSeconds(30)),
                "The primary did not come back from the crash.");
        }
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

    [Fact]
    public async Task Every_row_is_written_exactly_once_across_a_primary_outage_longer_than_sixteen_seconds_with_default_options()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        using var metrics = new BatchMetricsRecorder($"{schema.Name}.order_event");
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(servers.Primary);
        // Default options: the retry budget is RetryTimeout (60 s); the former budget of 8 attempts gave up after ~16 s.
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema));
        var token = TestContext.Current.CancellationToken;
        await writer.StartAsync(token);
        const int Producers = 8, RowsEach = 100;
        var committed = 0;
        var stream = Task.WhenAll(Enumerable.Range(0, Producers).Select(async producer =>
        {
            for (var i = 1; i <= RowsEach; i++)
            {
                await writer.WriteAsync(OrderEvent.Good((long)producer * RowsEach + i), token);
                Interlocked.Increment(ref committed);
                await Task.Delay(5, token);
            }
        }));

        var outage = Stopwatch.StartNew();
        try
        {
            Assert.True(
                await Poll.UntilAsync(() => ValueTask.FromResult(Volatile.Read(ref committed) >= 100), true, TimeSpan.FromSeconds(30)),
                "100 rows were not committed within 30 s before the outage.");
            await servers.ControlAsync("stop", "primary");
            outage.Restart();
            var atStop = Volatile.Read(ref committed);
            await Task.Delay(TimeSpan.FromSeconds(20), token);
            Assert.False(stream.IsCompleted, "The stream ended during the outage: its rows failed or it never reached the server.");
            Assert.InRange(Volatile.Read(ref committed), atStop, atStop + Producers); // nothing commits while the primary is down
        }
        finally
        {
            await servers.ControlAsync("start", "primary");
            outage.Stop();
            Npgsql.NpgsqlConnection.ClearAllPools();
        }

        await stream.WaitAsync(TimeSpan.FromSeconds(60), token);
        Assert.True(outage.Elapsed > TimeSpan.FromSeconds(16), $"The outage lasted only {outage.Elapsed}.");
        Assert.Equal((Producers * RowsEach, Producers * RowsEach), await OrderEvent.CountAsync(schema));
        Assert.True(metrics.Sum("ormperf.batch.retries") > 0, "no batch was retried: the outage did not hit a write");
    }

    private static BatchWriterOptions Retrying(int maxBatchSize) => new()
    {
        MaxBatchSize = maxBatchSize,
        MaxRetryAttempts = 12,
        RetryBaseDelay = TimeSpan.FromMilliseconds(100),
        RetryMaxDelay = TimeSpan.FromSeconds(2),
    };

    // The primary's start time and its crash mark (reset on every start after a crash), read on a fresh connection;
    // default while the server does not answer.
    private async Task<(DateTime Started, DateTime? CrashMark)> ServerLifeAsync()
    {
        try
        {
            await using var connection = new Npgsql.NpgsqlConnection(servers.Primary + ";Pooling=false");
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new Npgsql.NpgsqlCommand("SELECT pg_postmaster_start_time(), (SELECT stats_reset FROM pg_stat_bgwriter)", connection);
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            await reader.ReadAsync(TestContext.Current.CancellationToken);
            return (reader.GetDateTime(0), reader.IsDBNull(1) ? null : reader.GetDateTime(1));
        }
        catch (Npgsql.NpgsqlException)
        {
            return default;
        }
    }

    // Each producer writes its rows one by one, awaiting each; the primary restarts (or meets the given fault) once
    // restartAfter rows committed.
    private async Task WriteThroughARestartAsync<T>(BatchWriter<T> writer, IReadOnlyList<T[]> producers, int restartAfter, Func<Task>? fault = null)
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

            await (fault ?? (() => servers.ControlAsync("restart", "primary")))();
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
