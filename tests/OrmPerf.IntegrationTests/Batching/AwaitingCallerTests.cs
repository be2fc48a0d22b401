using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>
/// Code that awaits a row's task never runs on the thread that settles it: a caller whose code after the await blocks
/// (or is merely slow) holds up neither the rows committed with its own nor later batches, nor a producer's
/// <see cref="CancellationTokenSource.Cancel()"/>. The awaiting code runs on the thread pool (no context of its own
/// here, which is what would let it run inline).
/// </summary>
public sealed class AwaitingCallerTests(TestServers servers)
{
    public static TheoryData<string> Awaits => ["await", "await ConfigureAwait(false)", "await Task.WhenAll"];

    [Theory]
    [MemberData(nameof(Awaits))]
    public async Task A_caller_that_blocks_after_its_row_committed_holds_up_neither_the_rows_committed_with_it_nor_later_batches(string awaits)
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        // The linger puts the blocking caller's rows and the other one into one batch, in that order.
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxDelay = TimeSpan.FromSeconds(1) });
        var token = TestContext.Current.CancellationToken;
        using var gate = new ManualResetEventSlim();
        Task blocking;
        try
        {
            var rows = new[] { writer.WriteAsync(OrderEvent.Good(1), token), writer.WriteAsync(OrderEvent.Good(2), token) };
            blocking = Task.Run(() => awaits switch
            {
                "await" => BlockAfterAsync(rows[0], gate),
                "await ConfigureAwait(false)" => BlockAfterWithoutContextAsync(rows[0], gate),
                _ => BlockAfterAllAsync(rows, gate),
            }, token);
            var other = writer.WriteAsync(OrderEvent.Good(3), token);

            await other.WaitAsync(TimeSpan.FromSeconds(20), token);
            await writer.WriteAsync(OrderEvent.Good(4), token).WaitAsync(TimeSpan.FromSeconds(20), token);
            Assert.False(blocking.IsCompleted, "the caller's code after its await must still be blocked");
        }
        finally
        {
            gate.Set();
        }

        await blocking.WaitAsync(TimeSpan.FromSeconds(20), token);
        Assert.Equal((4, 4), await OrderEvent.CountAsync(schema));
    }

    [Fact]
    public async Task A_caller_that_blocks_once_its_write_is_cancelled_does_not_block_the_cancellation()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema));
        var token = TestContext.Current.CancellationToken;
        await using var tableLock = await TableLock.TakeAsync(schema, token);
        var first = writer.WriteAsync(OrderEvent.Good(1), token);
        await schema.WaitUntilASessionWaitsOnALockAsync(token);

        using var giveUp = new CancellationTokenSource();
        using var gate = new ManualResetEventSlim();
        using var awaiting = new ManualResetEventSlim();
        var row = writer.WriteAsync(OrderEvent.Good(2), giveUp.Token);
        var blocking = Task.Run(
            async () =>
            {
                awaiting.Set();
                try
                {
                    await row;
                }
                catch (OperationCanceledException)
                {
                    gate.Wait();
                }
            },
            token);
        try
        {
            Assert.True(awaiting.Wait(TimeSpan.FromSeconds(10), token));
            await Task.Delay(200, token); // the few instructions from Set to the await's registration

            await Task.Run(giveUp.Cancel, token).WaitAsync(TimeSpan.FromSeconds(10), token);
            Assert.False(blocking.IsCompleted, "the caller's code after its await must still be blocked");
        }
        finally
        {
            gate.Set();
        }

        await blocking.WaitAsync(TimeSpan.FromSeconds(20), token);
        await tableLock.ReleaseAsync(token);
        await first.WaitAsync(TimeSpan.FromSeconds(20), token);
        await writer.StopAsync(token).WaitAsync(TimeSpan.FromSeconds(20), token);
        Assert.Equal((2, 2), await OrderEvent.CountAsync(schema)); // queued before the cancellation: still written
    }

    private static async Task BlockAfterAsync(Task row, ManualResetEventSlim gate)
    {
        await row;
        gate.Wait();
    }

    private static async Task BlockAfterWithoutContextAsync(Task row, ManualResetEventSlim gate)
    {
        await row.ConfigureAwait(false);
        gate.Wait();
    }

    private static async Task BlockAfterAllAsync(Task[] rows, ManualResetEventSlim gate)
    {
        await Task.WhenAll(rows);
        gate.Wait();
    }
}
