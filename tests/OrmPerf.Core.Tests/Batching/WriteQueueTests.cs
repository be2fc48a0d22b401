using OrmPerf.Batching;

namespace OrmPerf.Core.Tests.Batching;

public sealed class WriteQueueTests
{
    private static readonly Func<Exception> Closed = () => new InvalidOperationException("closed");

    [Fact]
    public void Rows_beyond_the_capacity_wait_and_move_up_in_arrival_order_as_batches_are_taken()
    {
        var queue = new WriteQueue<int>(capacity: 3, Closed);
        var rows = Enumerable.Range(1, 7).Select(i => new PendingRow<int>(i)).ToList();

        var accepted = rows.Select(r => queue.Add(r)).ToList();

        Assert.Equal([true, true, true, false, false, false, false], accepted);
        Assert.Equal(3, queue.QueuedCount);
        Assert.Equal(7, queue.Count);

        var batch = new List<PendingRow<int>>();
        var (admitted, wake) = queue.Take(batch, max: 2);
        Assert.Equal([1, 2], batch.Select(r => r.Row));
        Assert.Equal(2, admitted);
        Assert.Null(wake);
        Assert.Equal(3, queue.QueuedCount);
        Assert.False(rows[3].WaitingForRoom);
        Assert.True(rows[5].WaitingForRoom);

        batch.Clear();
        (admitted, wake) = queue.Take(batch, max: 10);
        Assert.Equal([3, 4, 5, 6, 7], batch.Select(r => r.Row));
        Assert.Equal(2, admitted);
        Assert.NotNull(wake);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void TryAdd_queues_a_row_only_while_there_is_room_and_no_row_waits_for_it()
    {
        var queue = new WriteQueue<int>(capacity: 2, Closed);
        Assert.True(queue.TryAdd(new PendingRow<int>(1)));
        Assert.True(queue.TryAdd(new PendingRow<int>(2)));
        var refused = new PendingRow<int>(3);

        Assert.False(queue.TryAdd(refused));
        Assert.False(refused.WaitingForRoom);
        Assert.Equal(2, queue.Count);

        queue.Add(new PendingRow<int>(4));
        queue.Add(new PendingRow<int>(5));
        queue.Add(new PendingRow<int>(6));
        var batch = new List<PendingRow<int>>();
        queue.Take(batch, max: 3);
        Assert.Equal([1, 2, 4], batch.Select(r => r.Row));
        Assert.Equal(1, queue.QueuedCount);
        // There is room for one, but row 6 was there first.
        Assert.False(queue.TryAdd(new PendingRow<int>(7)));

        batch.Clear();
        queue.Take(batch, max: 2);
        Assert.Equal([5, 6], batch.Select(r => r.Row));
        Assert.True(queue.TryAdd(new PendingRow<int>(8)));

        queue.Complete();
        Assert.Throws<InvalidOperationException>(() => queue.TryAdd(new PendingRow<int>(9)));
    }

    [Fact]
    public void A_withdrawn_row_is_skipped_but_a_row_that_found_room_cannot_be_withdrawn()
    {
        var queue = new WriteQueue<int>(capacity: 1, Closed);
        var first = new PendingRow<int>(1);
        var second = new PendingRow<int>(2);
        var third = new PendingRow<int>(3);
        queue.Add(first);
        queue.Add(second);
        queue.Add(third);

        Assert.False(queue.TryWithdraw(first));
        Assert.True(queue.TryWithdraw(second));
        Assert.False(queue.TryWithdraw(second));

        var batch = new List<PendingRow<int>>();
        queue.Take(batch, max: 10);
        Assert.Equal([1, 3], batch.Select(r => r.Row));
        Assert.False(queue.TryWithdraw(third));
    }

    [Fact]
    public async Task An_empty_take_wakes_on_the_first_row_and_a_started_batch_only_once_it_can_be_filled()
    {
        var queue = new WriteQueue<int>(capacity: 100, Closed);
        var batch = new List<PendingRow<int>>();

        var (_, firstRow) = queue.Take(batch, max: 5);
        Assert.NotNull(firstRow);
        Assert.False(firstRow.IsCompleted);
        queue.Add(new PendingRow<int>(1));
        await firstRow.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        var (_, filled) = queue.Take(batch, max: 5);
        Assert.Single(batch);
        for (var i = 2; i <= 4; i++)
        {
            queue.Add(new PendingRow<int>(i));
        }

        Assert.False(filled!.IsCompleted);
        queue.Add(new PendingRow<int>(5));
        await filled.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        var (_, none) = queue.Take(batch, max: 5);
        Assert.Equal([1, 2, 3, 4, 5], batch.Select(r => r.Row));
        Assert.Null(none);
    }

    [Fact]
    public async Task Completing_wakes_the_loop_refuses_new_rows_and_still_hands_out_the_rows_already_in()
    {
        var queue = new WriteQueue<int>(capacity: 1, Closed);
        var waitingLoop = queue.Take([], max: 5).Wake;
        queue.Add(new PendingRow<int>(1));
        queue.Add(new PendingRow<int>(2));

        Assert.True(queue.Complete());
        Assert.False(queue.Complete());
        await waitingLoop!.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        var refused = Assert.Throws<InvalidOperationException>(() => queue.Add(new PendingRow<int>(3)));
        Assert.Equal("closed", refused.Message);

        Assert.Equal(2, queue.Count);
        var batch = new List<PendingRow<int>>();
        var (_, wake) = queue.Take(batch, max: 5);
        Assert.Equal([1, 2], batch.Select(r => r.Row));
        Assert.Null(wake);
        Assert.Equal(0, queue.Count);
    }
}
