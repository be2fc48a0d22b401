namespace OrmPerf.Batching;

/// <summary>
/// One batch of a <see cref="BatchWriter{T}.WriteManyAsync(IAsyncEnumerable{T}, IProgress{BatchProgress}?, CancellationToken)"/>
/// import while it is read from the source and then written: its rows, and where in the source they and the nulls
/// skipped among them were, so that the sink can name each rejected row by its position. Grows to the batch size only
/// when the import is that big. Used by one task at a time.
/// </summary>
internal sealed class ImportBuffer<T>(int batchSize)
{
    private readonly List<long> _nulls = [];
    private readonly List<int> _nullsBefore = [];
    private T[] _rows = new T[Math.Min(batchSize, 1_024)];
    private long _start;

    public int Count { get; private set; }

    public bool IsFull => Count == batchSize;

    public bool IsEmpty => Count == 0 && _nulls.Count == 0;

    public ArraySegment<T> Rows => new(_rows, 0, Count);

    /// <summary>Positions in the source of the nulls read into this batch; they never enter <see cref="Rows"/>.</summary>
    public IReadOnlyList<long> Nulls => _nulls;

    /// <summary>Starts the buffer afresh at <paramref name="start"/>, the source position of its first row.</summary>
    public ImportBuffer<T> Restart(long start)
    {
        Array.Clear(_rows, 0, Count); // no references kept to rows already written
        Count = 0;
        _start = start;
        _nulls.Clear();
        _nullsBefore.Clear();
        return this;
    }

    public void Add(T row)
    {
        if (Count == _rows.Length)
        {
            Array.Resize(ref _rows, Math.Min(_rows.Length * 2, batchSize));
        }

        _rows[Count++] = row;
    }

    public void AddNull()
    {
        _nulls.Add(PositionOf(Count));
        _nullsBefore.Add(Count);
    }

    /// <summary>The source position of the row at <paramref name="index"/> in <see cref="Rows"/>.</summary>
    public long PositionOf(int index)
    {
        var skipped = 0;
        foreach (var before in _nullsBefore)
        {
            skipped += before <= index ? 1 : 0;
        }

        return _start + index + skipped;
    }
}
