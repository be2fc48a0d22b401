namespace OrmPerf.Batching;

/// <summary>
/// The bounded queue between <see cref="BatchWriter{T}.WriteAsync"/> and the batch loop. At most <c>capacity</c> rows
/// are queued (accepted); rows beyond it wait for room in arrival order, held by nothing but their own
/// <see cref="PendingRow{T}"/> (no waiter object or state machine per blocked write, which under load is most of
/// what a row costs), and move up as the loop takes batches. The loop takes a whole batch under one lock and sleeps
/// until enough rows for a batch have arrived, not one wake-up per row. Thread-safe: many producers, one loop.
/// </summary>
/// <param name="capacity">The most rows accepted at once.</param>
/// <param name="closed">Makes the exception a producer gets once the queue is completed.</param>
internal sealed class WriteQueue<T>(int capacity, Func<Exception> closed)
{
    private readonly object _gate = new();
    private readonly Queue<PendingRow<T>> _queued = new();
    private readonly Queue<PendingRow<T>> _waitingForRoom = new();
    private TaskCompletionSource? _wakeLoop;
    private int _wakeAt;
    private bool _completed;

    /// <summary>Rows accepted and not yet taken into a batch; at most the capacity.</summary>
    public int QueuedCount
    {
        get
        {
            lock (_gate)
            {
                return _queued.Count;
            }
        }
    }

    /// <summary>Rows accepted or waiting for room, and not yet taken into a batch.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queued.Count + _waitingForRoom.Count;
            }
        }
    }

    /// <summary>
    /// Adds the row, returning true when it was accepted at once and false when it waits for room (it then moves up
    /// by itself, unless withdrawn); throws when the queue is completed.
    /// </summary>
    public bool Add(PendingRow<T> row) => Admit(row, waitWhenFull: true);

    /// <summary>
    /// Adds the row only when there is room now and no row is waiting for room (which keeps arrival order); false
    /// leaves it out. Throws when the queue is completed.
    /// </summary>
    public bool TryAdd(PendingRow<T> row) => Admit(row, waitWhenFull: false);

    private bool Admit(PendingRow<T> row, bool waitWhenFull)
    {
        TaskCompletionSource? wake = null;
        lock (_gate)
        {
            if (_completed)
            {
                throw closed();
            }

            if (_waitingForRoom.Count > 0 || _queued.Count >= capacity)
            {
                if (waitWhenFull)
                {
                    row.WaitingForRoom = true;
                    _waitingForRoom.Enqueue(row);
                }

                return false;
            }

            _queued.Enqueue(row);
            if (_wakeLoop is not null && _queued.Count >= _wakeAt)
            {
                (wake, _wakeLoop) = (_wakeLoop, null);
            }
        }

        wake?.TrySetResult();
        return true;
    }

    /// <summary>Withdraws a row whose producer gave up; false when it had already found room (it will be written).</summary>
    public bool TryWithdraw(PendingRow<T> row)
    {
        lock (_gate)
        {
            if (!row.WaitingForRoom || row.Withdrawn)
            {
                return false;
            }

            row.Withdrawn = true;
            return true;
        }
    }

    /// <summary>Refuses new rows; the rows already in (queued or waiting) are still taken.</summary>
    public bool Complete()
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _completed = true;
            (wake, _wakeLoop) = (_wakeLoop, null);
        }

        wake?.TrySetResult();
        return true;
    }

    /// <summary>
    /// Null when at least <paramref name="count"/> rows are queued (or waiting for room), or the queue is completed;
    /// otherwise a task that completes once they are. Shares the loop's one wake-up with <see cref="Take"/>: the loop
    /// waits on one of the two at a time, and the next call of either replaces a wake-up left unused.
    /// </summary>
    public Task? WhenQueued(int count)
    {
        lock (_gate)
        {
            if (_queued.Count + _waitingForRoom.Count >= count || _completed)
            {
                return null;
            }

            _wakeAt = count;
            _wakeLoop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _wakeLoop.Task;
        }
    }

    /// <summary>
    /// Moves up to <paramref name="max"/> − <c>batch.Count</c> rows into <paramref name="batch"/>; returns how many
    /// rows moved from waiting into the queue (for the queue-depth metric), or, when the batch is not full and the
    /// queue is empty and open, also a task that completes once enough rows for the batch have arrived (or on
    /// completion). <c>Wake</c> is null when there is nothing to wait for.
    /// </summary>
    public (int Admitted, Task? Wake) Take(List<PendingRow<T>> batch, int max)
    {
        lock (_gate)
        {
            while (batch.Count < max && _queued.TryDequeue(out var row))
            {
                batch.Add(row);
            }

            var admitted = 0;
            while (_queued.Count < capacity && _waitingForRoom.TryDequeue(out var waiting))
            {
                waiting.WaitingForRoom = false;
                if (!waiting.Withdrawn)
                {
                    _queued.Enqueue(waiting);
                    admitted++;
                }
            }

            // Rows that found room just now may complete the batch at once.
            while (batch.Count < max && _queued.TryDequeue(out var row))
            {
                batch.Add(row);
            }

            if (batch.Count == max || _completed)
            {
                return (admitted, null);
            }

            // An empty batch wants its first row at once; a started one (lingering for MaxDelay) sleeps until it can be filled.
            _wakeAt = batch.Count == 0 ? 1 : Math.Min(max - batch.Count, capacity);
            _wakeLoop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return (admitted, _wakeLoop.Task);
        }
    }
}
