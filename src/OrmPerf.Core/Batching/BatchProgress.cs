namespace OrmPerf.Batching;

/// <summary>How far a <see cref="IBatchWriter{T}.WriteManyAsync(IEnumerable{T}, IProgress{BatchProgress}?, CancellationToken)"/> import has come, reported after each committed batch.</summary>
/// <param name="RowsWritten">Rows committed so far.</param>
/// <param name="RowsRejected">Bad rows handed to the rejected-row sink so far.</param>
/// <param name="Batches">Batches committed so far.</param>
/// <param name="Elapsed">Time since the import started.</param>
public readonly record struct BatchProgress(long RowsWritten, long RowsRejected, int Batches, TimeSpan Elapsed)
{
    /// <summary>Committed rows per second since the import started.</summary>
    public double RowsPerSecond => Elapsed > TimeSpan.Zero ? RowsWritten / Elapsed.TotalSeconds : 0;
}
