using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrmPerf.Changes;
using OrmPerf.Consistency;
using OrmPerf.Diagnostics;

namespace OrmPerf.Batching;

/// <summary>
/// The batch writer of one table. <see cref="WriteAsync"/> and <see cref="TryWrite"/> queue rows in a bounded queue; one
/// background loop takes what is queued, up to <see cref="BatchWriterOptions.MaxBatchSize"/> rows, and writes it in one
/// transaction (group commit), with up to <see cref="BatchWriterOptions.MaxConcurrentBatches"/> such transactions in
/// flight at once: a row reaching an idle writer is committed at once, rows arriving while commits are in flight form
/// the next batch (and an optional <see cref="BatchWriterOptions.MaxDelay"/> linger lets a batch wait to grow). The
/// loop starts with the hosted service or at the first row, whichever comes first. As a hosted service it checks the map against the table at
/// start and, at stop, refuses new rows and commits every accepted one, within <see cref="BatchWriterOptions.ShutdownTimeout"/>. Thread-safe.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
internal sealed class BatchWriter<T> : IBatchWriter<T>, IHostedService, IAsyncDisposable
{
    // Rows that must be waiting before a batch starts while another is still in flight (or a full batch, if smaller).
    private const int OverlapRows = 1_000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly TableMap<T> _map;
    private readonly BatchWriterOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly BatchFlusher<T> _flusher;
    private readonly WriteQueue<T> _queue;
    private readonly CancellationTokenSource _abandon = new();
    // Batches whose rows are settled, for the loop to fill again (one per batch in flight or settling, and the one being filled).
    private readonly ConcurrentQueue<TakenBatch<T>> _spareBatches = new();
    private readonly Action<object?, CancellationToken> _cancelRow;
    private readonly TagList _tag;
    private readonly object _starting = new();
    private Task? _loop;
    // Read replicas are configured: an awaited write reports its commit to the scope it was made in.
    private readonly bool _reportsToScope;
    private volatile bool _validated;
    private volatile bool _closed;

    /// <summary>Creates the writer; its loop starts with <see cref="StartAsync"/> or the first row.</summary>
    /// <param name="dataSource">The primary server.</param>
    /// <param name="map">How rows map onto the table.</param>
    /// <param name="options">Batch size, delay, queue capacity, mode and retries; defaults when null.</param>
    /// <param name="timeProvider">The clock for <see cref="BatchWriterOptions.MaxDelay"/>, retry delays and <see cref="BatchWriterOptions.RetryTimeout"/>.</param>
    /// <param name="rejectedRows">Receives rows PostgreSQL refused; optional.</param>
    /// <param name="logger">Optional.</param>
    /// <param name="changeListeners">
    /// Told after each batch commits that the table changed (a query cache drops its results over it); optional. When one
    /// wants commit positions (read replicas are configured), each commit's position is read in the commit's round trip,
    /// and an awaited <see cref="WriteAsync"/> or <see cref="WriteManyAsync(IAsyncEnumerable{T}, IProgress{BatchProgress}?, CancellationToken)"/>
    /// also reports it to the consistency of the scope (request) it was called in, so that scope's later reads see the rows.
    /// </param>
    /// <exception cref="ArgumentException">
    /// The options are invalid, or the mode is an upsert keyed on the map's generated key; the message lists every problem.
    /// </exception>
    public BatchWriter(
        NpgsqlDataSource dataSource,
        TableMap<T> map,
        BatchWriterOptions? options = null,
        TimeProvider? timeProvider = null,
        IRejectedRowSink<T>? rejectedRows = null,
        ILogger<BatchWriter<T>>? logger = null,
        IEnumerable<ITableChangeListener>? changeListeners = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(map);
        _options = options ?? new BatchWriterOptions();
        var failures = BatchWriterOptionsValidator.Failures(_options, BatchWriterTable.Of(map.DisplayName, map));
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _dataSource = dataSource;
        _map = map;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _tag = BatchingMetrics.Tags(map.DisplayName);
        var retry = BatchRetryPipeline.Create(_options, _timeProvider, dataSource, map.DisplayName, _logger);
        var changes = new TableChangeNotifier(changeListeners ?? [], map.DisplayName, _logger);
        _reportsToScope = changes.WantsCommitPosition;
        var committer = new BatchCommitter<T>(dataSource, map, _options.Mode, _options.SmallBatchInsertLimit, retry, _timeProvider, _reportsToScope);
        _flusher = new BatchFlusher<T>(committer, map.DisplayName, rejectedRows, changes, _timeProvider, _logger);
        _queue = new WriteQueue<T>(_options.QueueCapacity, Closed);
        _cancelRow = CancelRow;
    }

    /// <summary>The table map this writer uses.</summary>
    public TableMap<T> Map => _map;

    /// <summary>Rows accepted by <see cref="WriteAsync"/> and not yet taken into a batch; at most <see cref="BatchWriterOptions.QueueCapacity"/>.</summary>
    public int QueuedRows => _queue.QueuedCount;

    /// <inheritdoc />
    public Task WriteAsync(T row, CancellationToken cancellationToken = default)
    {
        // Thrown here, not from the task: a null row is the caller's bug, and queued it would sink its whole batch.
        if (row is null)
        {
            throw new ArgumentNullException(nameof(row), $"A null row cannot be written to {_map.DisplayName}.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        // No async state machine per row, whether the queue has room or not: under load that is much of what a row costs.
        var scope = _reportsToScope ? WriteScope.Current : null;
        var pending = cancellationToken.CanBeCanceled || scope is not null ? new TrackedPendingRow<T>(row, scope) : new PendingRow<T>(row);
        _ = EnsureLoop();
        if (cancellationToken.CanBeCanceled)
        {
            // The row's own task is cancelled, not wrapped (Task.WaitAsync cost each row a second task, a promise and a
            // thread-pool hop: producers that pass their host's stopping token ran at half the speed). Registered before
            // the row is queued, so the batch that settles it always finds the registration to end.
            ((TrackedPendingRow<T>)pending).Withdrawal = cancellationToken.UnsafeRegister(_cancelRow, pending);
            if (pending.Task.IsCanceled)
            {
                return pending.Task; // cancelled meanwhile: never queued
            }
        }

        try
        {
            if (_queue.Add(pending))
            {
                BatchingMetrics.QueueDepth.Add(1, _tag);
            }
        }
        catch (InvalidOperationException e)
        {
            pending.Settled();
            return Task.FromException(e);
        }

        return pending.Task;
    }

    /// <inheritdoc />
    public bool TryWrite(T row, [NotNullWhen(true)] out Task? committed)
    {
        if (row is null)
        {
            throw new ArgumentNullException(nameof(row), $"A null row cannot be written to {_map.DisplayName}.");
        }

        var pending = new PendingRow<T>(row);
        _ = EnsureLoop();
        if (!_queue.TryAdd(pending))
        {
            committed = null;
            return false;
        }

        BatchingMetrics.QueueDepth.Add(1, _tag);
        committed = pending.Task;
        return true;
    }

    /// <inheritdoc />
    public Task<long> WriteManyAsync(IEnumerable<T> rows, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return WriteManyAsync(AsAsync(rows), progress, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<long> WriteManyAsync(IAsyncEnumerable<T> rows, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (_closed)
        {
            throw Closed();
        }

        var started = _timeProvider.GetTimestamp();
        var scope = _reportsToScope ? WriteScope.Current : null;
        long written = 0, rejected = 0, position = 0;
        var batches = 0;
        var tally = new object();
        async Task WriteBatchAsync(ImportBuffer<T> batch)
        {
            await EnsureValidatedAsync(cancellationToken).ConfigureAwait(false);
            foreach (var index in batch.Nulls)
            {
                await _flusher.RejectAsync(default, index, new ArgumentNullException(nameof(rows), $"Row {index} of the import into {_map.DisplayName} is null."), cancellationToken).ConfigureAwait(false);
            }

            var (bad, committedAt) = batch.Count == 0 ? new BatchFlush([], default) : await _flusher.FlushAsync(batch.Rows, batch.PositionOf, cancellationToken).ConfigureAwait(false);
            // Batches written in parallel finish in any order: the counts, their reports and the scope's write position
            // move under one lock, so every report counts only committed rows and none goes backwards.
            lock (tally)
            {
                if (batch.Count > bad.Count)
                {
                    scope?.RecordWrite(committedAt);
                }

                written += batch.Count - bad.Count;
                rejected += batch.Nulls.Count + bad.Count;
                batches += batch.Count == 0 ? 0 : 1;
                progress?.Report(new BatchProgress(written, rejected, batches, _timeProvider.GetElapsedTime(started)));
            }
        }

        // Read-ahead: while batches are written (their COPY and commit, up to ImportParallelism at once, each on its own
        // connection), the next is read from the source, so producing the rows and writing them overlap. With the
        // default parallelism of 1 batches are written one at a time, in order; each is its own transaction.
        var parallelism = _options.ImportParallelism;
        var writing = new List<(Task Task, ImportBuffer<T> Buffer)>(parallelism);
        var spares = new Stack<ImportBuffer<T>>();
        var filling = new ImportBuffer<T>(_options.ImportBatchSize);
        async Task WriteInTurnAsync(ImportBuffer<T> full)
        {
            if (writing.Count == parallelism)
            {
                var done = await Task.WhenAny(writing.Select(w => w.Task)).ConfigureAwait(false);
                var slot = writing.FindIndex(w => w.Task == done);
                spares.Push(writing[slot].Buffer);
                writing.RemoveAt(slot);
                await done.ConfigureAwait(false); // a failed batch ends the import (after the others settle, below)
            }

            writing.Add((Task.Run(() => WriteBatchAsync(full), CancellationToken.None), full));
        }

        try
        {
            await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                position++;
                if (row is null)
                {
                    filling.AddNull(); // set aside, and reported with its batch; the rows around it are written as usual
                    continue;
                }

                filling.Add(row);
                if (filling.IsFull)
                {
                    await WriteInTurnAsync(filling).ConfigureAwait(false);
                    filling = (spares.Count > 0 ? spares.Pop() : new ImportBuffer<T>(_options.ImportBatchSize)).Restart(position);
                }
            }

            if (!filling.IsEmpty)
            {
                await WriteInTurnAsync(filling).ConfigureAwait(false);
            }

            await Task.WhenAll(writing.Select(w => w.Task)).ConfigureAwait(false);
        }
        catch
        {
            // The source failed, a batch failed or the import was cancelled, possibly while batches were being written:
            // they all settle first, so no write outlives the call, and a write's own failure, if any, is what the
            // caller learns (rows not written matter more than rows not read).
            var settled = Task.WhenAll(writing.Select(w => w.Task));
            await settled.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (writing.Select(w => w.Task.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException) is { } writeError)
            {
                ExceptionDispatchInfo.Throw(writeError);
            }

            throw;
        }

        return written;
    }

    /// <summary>
    /// Checks the map against the real table, so that a wrong map fails start-up rather than the first batch, and
    /// starts the loop that writes the queued rows.
    /// </summary>
    /// <exception cref="TableMapMismatchException">The map does not fit the table.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await EnsureValidatedAsync(cancellationToken).ConfigureAwait(false);
        _ = EnsureLoop();
    }

    /// <summary>
    /// Refuses new rows, then waits until every accepted row (rows waiting for room in the full queue included) is
    /// committed (or rejected) and every batch in flight has finished. If <see cref="BatchWriterOptions.ShutdownTimeout"/>
    /// passes or <paramref name="cancellationToken"/> fires first (the host's shutdown timeout), retries are abandoned
    /// and the rows still queued fault; the batches in flight then get at most the same timeout again to end.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _closed = true;
        if (_queue.Complete())
        {
            Log.Draining(_logger, _map.DisplayName, _queue.Count);
        }

        // Started even now: a row queued by a producer racing this call is then drained rather than stranded.
        var loop = EnsureLoop();
        try
        {
            await loop.WaitAsync(_options.ShutdownTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            Log.ShutdownTimedOut(_logger, _map.DisplayName, _options.ShutdownTimeout, _queue.Count);
            await _abandon.CancelAsync().ConfigureAwait(false);
            // Abandoned batches end at their next await; bounded again for one stuck where a token is not heard.
            await loop.WaitAsync(_options.ShutdownTimeout, _timeProvider).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Same as <see cref="StopAsync"/>, bounded by <see cref="BatchWriterOptions.ShutdownTimeout"/> alone.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _abandon.Dispose();
    }

    // The loop starts once, with the hosted service or at the first row, whichever comes first; never in the constructor.
    private Task EnsureLoop()
    {
        if (Volatile.Read(ref _loop) is { } loop)
        {
            return loop;
        }

        lock (_starting)
        {
            return _loop ??= Task.Run(RunLoopAsync);
        }
    }

    private async Task EnsureValidatedAsync(CancellationToken cancellationToken)
    {
        if (_validated)
        {
            return;
        }

        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        await TableMapValidator.ValidateAsync(connection, _map, keysRequired: _options.Mode != WriteMode.Insert, cancellationToken).ConfigureAwait(false);
        _validated = true;
    }

    // Takes batches in queue order; up to ConcurrentBatches of them commit at once, each on its own connection. A
    // batch is only taken once a slot is free, so the rows behind it keep queueing (and fill the next batch) while
    // every slot waits for its commit. While a batch is in flight, a further one starts only once OverlapRows rows
    // wait: a few rows more do not pay for a second transaction's fixed cost (on a small box the client and server
    // CPU of each commit, not the WAL flush, is what limits awaited requests), and they ride the next commit instead.
    // A slot is free again once its batch has committed (or failed), before its rows' tasks are completed: completing
    // tens of thousands of tasks (each queueing its awaiter's continuation) takes milliseconds under a backlog, and
    // the next batch need not wait for that.
    // Returns once the queue is completed and every batch taken has been flushed and its rows settled.
    private async Task RunLoopAsync()
    {
        var slots = _options.ConcurrentBatches;
        var overlapRows = Math.Min(OverlapRows, Math.Min(_options.MaxBatchSize, _options.QueueCapacity));
        var inFlight = new List<Task>(slots);
        var flushes = new List<Task>();
        while (true)
        {
            // Re-checked after every slot that frees: a batch ending while another is still in flight does not by
            // itself start a further one.
            while (true)
            {
                inFlight.RemoveAll(static done => done.IsCompleted);
                if (inFlight.Count == slots)
                {
                    await Task.WhenAny(inFlight).ConfigureAwait(false);
                }
                else if (inFlight.Count > 0 && _queue.WhenQueued(overlapRows) is { } enough)
                {
                    await Task.WhenAny([.. inFlight, enough]).ConfigureAwait(false);
                }
                else
                {
                    break;
                }
            }

            var batch = await TakeBatchAsync().ConfigureAwait(false);
            if (batch.Pending.Count == 0)
            {
                _spareBatches.Enqueue(batch);
                break;
            }

            var slot = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            flushes.RemoveAll(flush => flush.IsCompleted);
            flushes.Add(slots == 1 ? FlushAsync(batch, slot) : Task.Run(() => FlushAsync(batch, slot)));
            inFlight.Add(slot.Task);
        }

        await Task.WhenAll(flushes).ConfigureAwait(false);
    }

    // Waits for a first row and takes what is queued with it: while the writer is idle that is one row, committed at
    // once; while batches are in flight the rows arriving meanwhile queue up and form the next one (natural group
    // commit). Only a MaxDelay linger then waits for the batch to fill. An empty batch means the queue is drained.
    private async Task<TakenBatch<T>> TakeBatchAsync()
    {
        var taken = _spareBatches.TryDequeue(out var spare) ? spare : new TakenBatch<T>();
        var batch = taken.Pending;
        var wake = Take(batch);
        while (batch.Count == 0 && wake is not null)
        {
            await wake.ConfigureAwait(false);
            wake = Take(batch);
        }

        if (wake is null || _options.MaxDelay == TimeSpan.Zero)
        {
            return taken;
        }

        using var delay = new CancellationTokenSource(_options.MaxDelay, _timeProvider);
        while (wake is not null)
        {
            try
            {
                await wake.WaitAsync(delay.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (delay.IsCancellationRequested)
            {
                _ = Take(batch); // what arrived since the last wake-up; the next batch waits anew
                break;
            }

            wake = Take(batch);
        }

        return taken;
    }

    private Task? Take(List<PendingRow<T>> batch)
    {
        var before = batch.Count;
        var (admitted, wake) = _queue.Take(batch, _options.MaxBatchSize);
        BatchingMetrics.QueueDepth.Add(admitted - (batch.Count - before), _tag);
        return wake;
    }

    // The producer stops waiting either way; a row still waiting for room is withdrawn and never written, one already
    // queued may still be committed (its task then stays cancelled).
    private void CancelRow(object? state, CancellationToken cancellationToken)
    {
        var pending = (PendingRow<T>)state!;
        _queue.TryWithdraw(pending);
        using var elsewhere = ContinuationsElsewhere.Enter();
        pending.TrySetCanceled(cancellationToken);
    }

    // Frees the batch's slot as soon as its outcome is known, then settles its rows.
    private async Task FlushAsync(TakenBatch<T> taken, TaskCompletionSource slot)
    {
        var batch = taken.Pending;
        try
        {
            BatchFlush flushed;
            try
            {
                await EnsureValidatedAsync(_abandon.Token).ConfigureAwait(false);
                flushed = await _flusher.FlushAsync(taken.Rows(), importIndex: null, _abandon.Token).ConfigureAwait(false);
            }
            finally
            {
                slot.TrySetResult();
            }

            var (rejected, committedAt) = flushed;

            // Awaiting code resumes on the thread pool, while a Task.WhenAll over rows counts down here: no thread-pool
            // item and 32 bytes per row for it (producers with many writes in flight take 20-25 % less time without).
            using var elsewhere = ContinuationsElsewhere.Enter();
            foreach (var (index, error) in rejected)
            {
                batch[index].TrySetException(error is PostgresException refused ? new RowRejectedException(_map.DisplayName, refused) : error);
            }

            IWriteReporter? reported = null;
            foreach (var pending in batch)
            {
                pending.Committed(committedAt, ref reported);
                pending.Settled();
            }
        }
        catch (Exception e)
        {
            Log.BatchFailed(_logger, e, _map.DisplayName, batch.Count);
            using var elsewhere = ContinuationsElsewhere.Enter();
            foreach (var pending in batch)
            {
                pending.TrySetException(e);
                pending.Settled();
            }
        }

        _spareBatches.Enqueue(taken.Clear());
    }

    private InvalidOperationException Closed() =>
        new($"The batch writer for table '{_map.DisplayName}' is shutting down and accepts no more rows.");

    // One import loop for both sources; a synchronous enumerable costs only a completed ValueTask per row: no async
    // iterator in between, whose state machine and promise machinery would run for every row of an import.
    private static IAsyncEnumerable<T> AsAsync(IEnumerable<T> rows) => new SynchronousRows(rows);

    private sealed class SynchronousRows(IEnumerable<T> rows) : IAsyncEnumerable<T>
    {
        public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) => new Enumerator(rows.GetEnumerator(), cancellationToken);

        private sealed class Enumerator(IEnumerator<T> rows, CancellationToken cancellationToken) : IAsyncEnumerator<T>
        {
            public T Current => rows.Current;

            public ValueTask<bool> MoveNextAsync()
            {
                cancellationToken.ThrowIfCancellationRequested();
                return new(rows.MoveNext());
            }

            public ValueTask DisposeAsync()
            {
                rows.Dispose();
                return default;
            }
        }
    }
}
