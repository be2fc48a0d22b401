using System.Diagnostics.CodeAnalysis;

namespace OrmPerf.Batching;

/// <summary>
/// Writes rows of <typeparamref name="T"/> to one table in batches, each batch one transaction, with binary COPY.
/// Thread-safe: any number of producers may call <see cref="WriteAsync"/> at once.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
public interface IBatchWriter<T>
{
    /// <summary>
    /// Queues one row; the background loop groups it with others (group commit). The task completes when the row's
    /// batch has committed, or faults with <see cref="RowRejectedException"/> if PostgreSQL refused this row. When the
    /// queue is full the row waits for room and the task completes only after its commit (backpressure for a producer
    /// that awaits). A producer that does not await gets no backpressure: its rows keep waiting for room, without bound;
    /// such a producer uses <see cref="TryWrite"/>. When the map has a generated key
    /// (<see cref="TableMapBuilder{T}.GeneratedKey{TKey}"/>), the row holds its new key once the task has completed.
    /// Code awaiting the task resumes on the thread pool (or on its own synchronization context), never on the thread
    /// that settles the row, so a slow continuation holds up no other row; only a continuation registered with
    /// <see cref="TaskContinuationOptions.ExecuteSynchronously"/> runs there, as it asks.
    /// </summary>
    /// <param name="row">The row.</param>
    /// <param name="cancellationToken">
    /// Stops waiting. A row still waiting for room in the full queue is withdrawn and never written; a row already
    /// queued may still be committed.
    /// </param>
    /// <exception cref="InvalidOperationException">The writer is shutting down and refuses new rows.</exception>
    Task WriteAsync(T row, CancellationToken cancellationToken = default);

    /// <summary>
    /// Queues one row only if the queue has room now, for producers that fire and forget: when it returns false they
    /// can drop the row, slow down or fall back to <see cref="WriteAsync"/>, and memory stays within
    /// <see cref="BatchWriterOptions.QueueCapacity"/> rows.
    /// </summary>
    /// <param name="row">The row.</param>
    /// <param name="committed">When the row was queued, the task that <see cref="WriteAsync"/> would have returned.</param>
    /// <returns>False when the queue is full or rows are already waiting for room: the row was not queued.</returns>
    /// <exception cref="InvalidOperationException">The writer is shutting down and refuses new rows.</exception>
    bool TryWrite(T row, [NotNullWhen(true)] out Task? committed);

    /// <summary>
    /// Streams rows into the table in batches of <see cref="BatchWriterOptions.ImportBatchSize"/>, each its own
    /// transaction, written one at a time and in order while the next batch is read from <paramref name="rows"/>
    /// (or, with <see cref="BatchWriterOptions.ImportParallelism"/> above 1, up to that many at once on separate
    /// connections, committing in any order); returns the rows committed. With a generated key, each committed row
    /// holds its key on return. A row that cannot be written (null, PostgreSQL refuses it, its mapping throws) is set
    /// aside through <see cref="IRejectedRowSink{T}"/> and the others are written. When it throws, the batches before
    /// the failing one are committed (in parallel, exactly the batches reported through <paramref name="progress"/>,
    /// not necessarily a prefix of the source).
    /// </summary>
    Task<long> WriteManyAsync(IEnumerable<T> rows, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WriteManyAsync(IEnumerable{T}, IProgress{BatchProgress}?, CancellationToken)"/>
    Task<long> WriteManyAsync(IAsyncEnumerable<T> rows, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default);
}
