namespace OrmPerf.Batching;

/// <summary>
/// The rows of one <see cref="BatchWriter{T}.WriteAsync"/> batch, from the queue to their commit. The loop reuses it
/// for later batches once it is flushed: a batch's lists are as long as the batch, and allocated afresh for every batch
/// they would be most of what the writer allocates per row besides the row itself. Used by one task at a time.
/// </summary>
internal sealed class TakenBatch<T>
{
    private T[] _rows = [];

    /// <summary>The rows taken from the queue, in queue order.</summary>
    public List<PendingRow<T>> Pending { get; } = [];

    /// <summary>The rows of <see cref="Pending"/>, as the flusher takes them.</summary>
    public ArraySegment<T> Rows()
    {
        if (_rows.Length < Pending.Count)
        {
            _rows = new T[Pending.Capacity];
        }

        for (var i = 0; i < Pending.Count; i++)
        {
            _rows[i] = Pending[i].Row;
        }

        return new(_rows, 0, Pending.Count);
    }

    /// <summary>Forgets the rows (no reference to a written row is kept), ready for the next batch.</summary>
    public TakenBatch<T> Clear()
    {
        Array.Clear(_rows, 0, Math.Min(_rows.Length, Pending.Count));
        Pending.Clear();
        return this;
    }
}
