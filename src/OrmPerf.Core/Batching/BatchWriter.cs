using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrmPerf.Changes;
using OrmPerf.Diagnostics;

namespace OrmPerf.Batching;

/// <summary>
/// The batch writer of one table. <see cref="WriteAsync"/> queues rows in a bounded channel; one background loop takes
/// up to <see cref="BatchWriterOptions.MaxBatchSize"/> rows, or what arrived within <see cref="BatchWriterOptions.MaxDelay"/>,
/// and writes them in one transaction (group commit). As a hosted service it checks the map against the table at
/// start and, at stop, refuses new rows and commits every accepted one. Thread-safe.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
public sealed class BatchWriter<T> : IBatchWriter<T>, IHostedService, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TableMap<T> _map;
    private readonly BatchWriterOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly BatchFlusher<T> _flusher;
    private readonly Channel<PendingRow> _queue;
    private readonly CancellationTokenSource _abandon = new();
    private readonly KeyValuePair<string, object?> _tag;
    private readonly Task _loop;
    private volatile bool _validated;
    private volatile bool _closed;

    /// <summary>Creates the writer and starts its loop.</summary>
    /// <param name="dataSource">The primary server.</param>
    /// <param name="map">How rows map onto the table.</param>
    /// <param name="options">Batch size, delay, queue capacity, mode and retries; defaults when null.</param>
    /// <param name="timeProvider">The clock for <see cref="BatchWriterOptions.MaxDelay"/> and retry delays.</param>
    /// <param name="rejectedRows">Receives rows PostgreSQL refused; optional.</param>
    /// <param name="logger">Optional.</param>
    /// <param name="changeListeners">
    /// Told after each batch commits that the table changed (a query cache drops its results over it); optional.
    /// </param>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every bad value.</exception>
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
        var failures = _options.Validate().ToList();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _dataSource = dataSource;
        _map = map;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _tag = new(BatchingMetrics.TableTag, map.DisplayName);
        var retry = BatchRetryPipeline.Create(_options, _timeProvider, dataSource, map.DisplayName, _logger);
        var changes = new TableChangeNotifier(changeListeners ?? [], map.DisplayName, _logger);
        var committer = new BatchCommitter<T>(dataSource, map, _options.Mode, _options.SmallBatchInsertLimit, retry);
        _flusher = new BatchFlusher<T>(committer, map.DisplayName, rejectedRows, changes, _timeProvider, _logger);
        _queue = Channel.CreateBounded<PendingRow>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(RunLoopAsync);
    }

    /// <summary>The table map this writer uses.</summary>
    public TableMap<T> Map => _map;

    /// <summary>Rows accepted by <see cref="WriteAsync"/> and not yet taken into a batch; at most <see cref="BatchWriterOptions.QueueCapacity"/>.</summary>
    public int QueuedRows => _queue.Reader.Count;

    /// <inheritdoc />
    public Task WriteAsync(T row, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        // Fast path while the queue has room: no async state machine per row, which under load is much of what a
        // queued row costs.
        var pending = new PendingRow(row);
        if (_queue.Writer.TryWrite(pending))
        {
            BatchingMetrics.QueueDepth.Add(1, _tag);
            return cancellationToken.CanBeCanceled ? pending.Task.WaitAsync(cancellationToken) : pending.Task;
        }

        return EnqueueAndWaitAsync(pending, cancellationToken);
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
        // Grows to ImportBatchSize only when the import is that big: a small import allocates a small buffer.
        var buffer = new T[Math.Min(_options.ImportBatchSize, 1_024)];
        var count = 0;
        long written = 0, rejected = 0;
        var batches = 0;
        async Task FlushBufferAsync()
        {
            await EnsureValidatedAsync(cancellationToken);
            var bad = await _flusher.FlushAsync(new ArraySegment<T>(buffer, 0, count), cancellationToken);
            written += count - bad.Count;
            rejected += bad.Count;
            batches++;
            count = 0;
            progress?.Report(new BatchProgress(written, rejected, batches, _timeProvider.GetElapsedTime(started)));
        }

        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            if (count == buffer.Length)
            {
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, _options.ImportBatchSize));
            }

            buffer[count++] = row;
            if (count == _options.ImportBatchSize)
            {
                await FlushBufferAsync();
            }
        }

        if (count > 0)
        {
            await FlushBufferAsync();
        }

        return written;
    }

    /// <summary>Checks the map against the real table, so that a wrong map fails start-up rather than the first batch.</summary>
    /// <exception cref="TableMapMismatchException">The map does not fit the table.</exception>
    public Task StartAsync(CancellationToken cancellationToken) => EnsureValidatedAsync(cancellationToken);

    /// <summary>
    /// Refuses new rows, then waits until every accepted row is committed (or rejected). If
    /// <paramref name="cancellationToken"/> fires first (the host's shutdown timeout), retries are abandoned and the
    /// rows still queued fault.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _closed = true;
        if (_queue.Writer.TryComplete())
        {
            Log.Draining(_logger, _map.DisplayName, _queue.Reader.Count);
        }

        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _abandon.CancelAsync();
            await _loop;
        }
    }

    /// <summary>Same as <see cref="StopAsync"/> without a time limit: every accepted row is committed before it returns.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _abandon.Dispose();
    }

    private async Task EnsureValidatedAsync(CancellationToken cancellationToken)
    {
        if (_validated)
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await TableMapValidator.ValidateAsync(connection, _map, keysRequired: _options.Mode != WriteMode.Insert, cancellationToken);
        _validated = true;
    }

    private async Task RunLoopAsync()
    {
        var batch = new List<PendingRow>(_options.MaxBatchSize);
        while (await _queue.Reader.WaitToReadAsync())
        {
            await FillAsync(batch);
            BatchingMetrics.QueueDepth.Add(-batch.Count, _tag);
            await FlushAsync(batch);
            batch.Clear();
        }
    }

    private async Task FillAsync(List<PendingRow> batch)
    {
        var reader = _queue.Reader;
        while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var row))
        {
            batch.Add(row);
        }

        if (batch.Count == _options.MaxBatchSize)
        {
            return;
        }

        using var delay = new CancellationTokenSource(_options.MaxDelay, _timeProvider);
        while (batch.Count < _options.MaxBatchSize)
        {
            try
            {
                if (!await reader.WaitToReadAsync(delay.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (delay.IsCancellationRequested)
            {
                return;
            }

            while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var row))
            {
                batch.Add(row);
            }
        }
    }

    private async Task FlushAsync(List<PendingRow> batch)
    {
        var rows = new T[batch.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = batch[i].Row;
        }

        try
        {
            await EnsureValidatedAsync(_abandon.Token);
            var rejected = await _flusher.FlushAsync(rows, _abandon.Token);
            foreach (var (index, error) in rejected)
            {
                batch[index].TrySetException(new RowRejectedException(_map.DisplayName, error));
            }

            foreach (var pending in batch)
            {
                pending.TrySetResult();
            }
        }
        catch (Exception e)
        {
            Log.BatchFailed(_logger, e, _map.DisplayName, batch.Count);
            foreach (var pending in batch)
            {
                pending.TrySetException(e);
            }
        }
    }

    private async Task EnqueueAndWaitAsync(PendingRow pending, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw Closed();
        }

        BatchingMetrics.QueueDepth.Add(1, _tag);
        await pending.Task.WaitAsync(cancellationToken);
    }

    private InvalidOperationException Closed() =>
        new($"The batch writer for table '{_map.DisplayName}' is shutting down and accepts no more rows.");

    // One import loop for both sources; a synchronous enumerable costs only a completed ValueTask per row.
    private static async IAsyncEnumerable<T> AsAsync(IEnumerable<T> rows, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return row;
        }

        await Task.CompletedTask; // an async iterator must await something; the source itself never does
    }

    /// <summary>A queued row; its task, which the producer awaits, completes when the row's batch has committed.</summary>
    private sealed class PendingRow(T row) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public T Row { get; } = row;
    }
}
