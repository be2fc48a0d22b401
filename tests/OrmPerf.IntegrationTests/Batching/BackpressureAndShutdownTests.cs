using System.Runtime.CompilerServices;
using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>A full queue makes producers wait; shutdown commits every accepted row and refuses new ones.</summary>
public sealed class BackpressureAndShutdownTests(TestServers servers)
{
    [Fact]
    public async Task Producers_wait_when_the_queue_is_full_and_the_queue_stays_within_its_capacity()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(
            dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 5, QueueCapacity = 10 });
        var token = TestContext.Current.CancellationToken;

        // Hold the table locked so the first batch's COPY waits and the queue fills up behind it.
        await using var tableLock = await TableLock.TakeAsync(schema, token);

        var writes = Enumerable.Range(1, 100).Select(i => writer.WriteAsync(OrderEvent.Good(i), token)).ToList();
        await WaitUntilAsync(() => writer.QueuedRows == 10, token);
        await Task.Delay(200, token);

        Assert.Equal(10, writer.QueuedRows);
        Assert.All(writes, w => Assert.False(w.IsCompleted));

        await tableLock.ReleaseAsync(token);
        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30), token);
        Assert.Equal((100, 100), await OrderEvent.CountAsync(schema));
    }

    [Fact]
    public async Task TryWrite_refuses_rows_while_the_queue_is_full_so_a_fire_and_forget_producer_holds_no_more()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(
            dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 5, QueueCapacity = 10 });
        var token = TestContext.Current.CancellationToken;
        await using var tableLock = await TableLock.TakeAsync(schema, token);

        var accepted = new List<Task>();
        for (var i = 1; i <= 200; i++)
        {
            if (writer.TryWrite(OrderEvent.Good(i), out var committed))
            {
                accepted.Add(committed);
            }

            if (i % 20 == 0)
            {
                await Task.Delay(20, token); // time for the loop to take batches, which then wait on the lock
            }
        }

        // At most two batches of five wait on the lock (MaxConcurrentBatches 2 for inserts) and ten rows queue behind them.
        Assert.InRange(accepted.Count, 10, 20);
        Assert.InRange(writer.QueuedRows, 0, 10);
        Assert.All(accepted, w => Assert.False(w.IsCompleted));

        await tableLock.ReleaseAsync(token);
        await Task.WhenAll(accepted).WaitAsync(TimeSpan.FromSeconds(30), token);
        Assert.Equal((accepted.Count, accepted.Count), await OrderEvent.CountAsync(schema));
    }

    [Fact]
    public async Task A_producer_that_cancels_while_waiting_for_room_withdraws_its_row_and_stop_drains_the_other_waiting_rows()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var writer = new BatchWriter<OrderEvent>(
            dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 5, QueueCapacity = 10 });
        var token = TestContext.Current.CancellationToken;
        await using var tableLock = await TableLock.TakeAsync(schema, token);

        var writes = Enumerable.Range(1, 30).Select(i => writer.WriteAsync(OrderEvent.Good(i), token)).ToList();
        await WaitUntilAsync(() => writer.QueuedRows == 10, token);
        using var giveUp = new CancellationTokenSource();
        var withdrawn = writer.WriteAsync(OrderEvent.Good(100), giveUp.Token);
        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withdrawn);
        var stop = writer.StopAsync(token);
        await tableLock.ReleaseAsync(token);
        await stop.WaitAsync(TimeSpan.FromSeconds(30), token);
        await Task.WhenAll(writes);
        Assert.Equal((30, 30), await OrderEvent.CountAsync(schema));
        await writer.DisposeAsync();
    }

    [Fact]
    public async Task A_producer_that_cancels_after_its_row_was_queued_stops_waiting_and_the_row_is_still_written_once()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 5 });
        var token = TestContext.Current.CancellationToken;
        await using var tableLock = await TableLock.TakeAsync(schema, token);

        var first = Enumerable.Range(1, 5).Select(i => writer.WriteAsync(OrderEvent.Good(i), token)).ToList();
        await schema.WaitUntilASessionWaitsOnALockAsync(token);
        using var giveUp = new CancellationTokenSource();
        var queued = writer.WriteAsync(OrderEvent.Good(6), giveUp.Token);
        Assert.Equal(1, writer.QueuedRows);
        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(TimeSpan.FromSeconds(5), token));
        await tableLock.ReleaseAsync(token);
        await Task.WhenAll(first).WaitAsync(TimeSpan.FromSeconds(20), token);
        await writer.StopAsync(token).WaitAsync(TimeSpan.FromSeconds(20), token);
        Assert.Equal((6, 6), await OrderEvent.CountAsync(schema)); // queued before the cancellation: written, once
    }

    [Fact]
    public async Task Rows_written_with_a_long_lived_token_are_not_kept_alive_by_it_once_settled()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 20, QueueCapacity = 10 });
        var token = TestContext.Current.CancellationToken;
        // A host's stopping token: it lives as long as the service, so a registration left on it would keep the row.
        using var stopping = new CancellationTokenSource();

        var (rows, writes) = WriteRows(writer, 200, stopping.Token);
        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30), token);
        await writer.StopAsync(token).WaitAsync(TimeSpan.FromSeconds(20), token);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.Equal((200, 200), await OrderEvent.CountAsync(schema));
        Assert.Equal(0, rows.Count(row => row.IsAlive));
    }

    // Rows no local of the test holds (debug builds keep a method's locals alive to its end).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (List<WeakReference> Rows, List<Task> Writes) WriteRows(BatchWriter<OrderEvent> writer, int count, CancellationToken token)
    {
        var rows = Enumerable.Range(1, count).Select(i => OrderEvent.Good(i)).ToList();
        return (rows.Select(row => new WeakReference(row)).ToList(), rows.Select(row => writer.WriteAsync(row, token)).ToList());
    }

    [Fact]
    public async Task StopAsync_commits_every_accepted_row_then_refuses_writes()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var writer = new BatchWriter<OrderEvent>(
            dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 200, MaxDelay = TimeSpan.FromSeconds(30), QueueCapacity = 5_000 });
        var token = TestContext.Current.CancellationToken;

        // Fire and forget: the long MaxDelay means nothing is written until shutdown forces the drain.
        var writes = Enumerable.Range(1, 2_050).Select(i => writer.WriteAsync(OrderEvent.Good(i), token)).ToList();
        await writer.StopAsync(token).WaitAsync(TimeSpan.FromSeconds(30), token);

        Assert.Equal((2_050, 2_050), await OrderEvent.CountAsync(schema));
        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(5), token);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(OrderEvent.Good(9_999), token));
        Assert.Contains("shutting down", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteManyAsync([OrderEvent.Good(9_998)], cancellationToken: token));
        Assert.Throws<InvalidOperationException>(() => writer.TryWrite(OrderEvent.Good(9_997), out _));
        await writer.DisposeAsync();
    }

    [Fact]
    public async Task DisposeAsync_drains_like_StopAsync()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var writer = new BatchWriter<OrderEvent>(
            dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 1_000, MaxDelay = TimeSpan.FromSeconds(30) });

        var writes = Enumerable.Range(1, 300).Select(i => writer.WriteAsync(OrderEvent.Good(i), TestContext.Current.CancellationToken)).ToList();
        await writer.DisposeAsync();

        await Task.WhenAll(writes);
        Assert.Equal((300, 300), await OrderEvent.CountAsync(schema));
    }

    [Fact]
    public async Task When_the_shutdown_timeout_fires_first_StopAsync_returns_and_the_stuck_rows_fault()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 5 });
        var token = TestContext.Current.CancellationToken;
        await using var tableLock = await TableLock.TakeAsync(schema, token);

        var writes = Enumerable.Range(1, 20).Select(i => writer.WriteAsync(OrderEvent.Good(i), token)).ToList();
        using var shutdownTimeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await writer.StopAsync(shutdownTimeout.Token).WaitAsync(TimeSpan.FromSeconds(20), token);

        foreach (var write in writes)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
        }

        await tableLock.ReleaseAsync(token);
        Assert.Equal((0, 0), await OrderEvent.CountAsync(schema));
        await writer.DisposeAsync();
    }

    [Fact]
    public async Task DisposeAsync_gives_up_after_the_ShutdownTimeout_and_the_stuck_rows_fault()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var writer = new BatchWriter<OrderEvent>(
            dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 5, ShutdownTimeout = TimeSpan.FromMilliseconds(500) });
        var token = TestContext.Current.CancellationToken;
        await using var tableLock = await TableLock.TakeAsync(schema, token);

        var writes = Enumerable.Range(1, 20).Select(i => writer.WriteAsync(OrderEvent.Good(i), token)).ToList();
        await schema.WaitUntilASessionWaitsOnALockAsync(token);
        // The lock is held for the whole test: without the bound, disposing would wait for it forever.
        await writer.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20), token);

        foreach (var write in writes)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
        }

        await tableLock.ReleaseAsync(token);
        Assert.Equal((0, 0), await OrderEvent.CountAsync(schema));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken token)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s.");
            await Task.Delay(10, token);
        }
    }
}
