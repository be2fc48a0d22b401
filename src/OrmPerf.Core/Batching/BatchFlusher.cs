using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using OrmPerf.Changes;
using OrmPerf.Diagnostics;

namespace OrmPerf.Batching;

/// <summary>
/// Writes a batch so that bad rows cannot sink it: when PostgreSQL refuses the batch because of its rows, the batch is
/// split in halves until each bad row stands alone; a row that could not be read or encoded is set aside by its index
/// (or, when Npgsql did not say which, found by the same halving); the good parts are committed, each bad row goes to
/// the dead-letter sink. Once the good rows are committed, the table change listeners hear of it. Records the batch metrics and one
/// <c>ormperf.batch.flush</c> activity per batch. Thread-safe.
/// </summary>
internal sealed class BatchFlusher<T>(
    BatchCommitter<T> committer, string table, IRejectedRowSink<T>? sink, TableChangeNotifier changes, TimeProvider timeProvider, ILogger logger)
{
    private readonly TagList _tag = BatchingMetrics.Tags(table);

    /// <summary>
    /// Commits the good rows of <paramref name="rows"/> and returns the bad ones by index, each with its error: a
    /// <see cref="PostgresException"/> for a row PostgreSQL refused, an <see cref="ArgumentException"/> for a row that
    /// could not be read or encoded. Throws when the batch failed for another reason (then nothing of it that was not
    /// already reported committed). <paramref name="importIndex"/> maps a row's index in the batch to its position in
    /// an import, so the sink can name the rows it receives; null for <c>WriteAsync</c> batches. The commit position
    /// returned is the last commit's (a split batch commits in order), unknown when the committer reports none.
    /// </summary>
    public async Task<BatchFlush> FlushAsync(ArraySegment<T> rows, Func<int, long>? importIndex, CancellationToken cancellationToken)
    {
        using var activity = OrmPerfDiagnostics.ActivitySource.StartActivity(OrmPerfDiagnostics.BatchFlushSpan, ActivityKind.Internal, default(ActivityContext), _tag);
        activity?.SetTag(OrmPerfDiagnostics.BatchRowsTag, rows.Count);
        var started = timeProvider.GetTimestamp();
        var rejected = new List<(int Index, Exception Error)>();
        var position = new StrongBox<NpgsqlLogSequenceNumber>();
        try
        {
            await WriteIsolatingBadRowsAsync(rows, 0, rejected, position, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            activity?.SetTag(OrmPerfDiagnostics.ErrorTypeTag, e.GetType().FullName);
            throw;
        }
        finally
        {
            BatchingMetrics.FlushDuration.Record(timeProvider.GetElapsedTime(started).TotalSeconds, _tag);
        }

        activity?.SetTag(OrmPerfDiagnostics.BatchRowsRejectedTag, rejected.Count);
        if (rejected.Count < rows.Count)
        {
            await changes.NotifyAsync(position.Value, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (index, error) in rejected)
        {
            await RejectAsync(rows[index], importIndex?.Invoke(index), error, cancellationToken).ConfigureAwait(false);
        }

        return new BatchFlush(rejected, position.Value);
    }

    /// <summary>
    /// Hands one rejected row to the dead-letter sink (a sink that throws is logged), and counts and logs it: a row
    /// PostgreSQL refused, or one that could not be written at all (null, a getter that threw, a value Npgsql could
    /// not encode).
    /// </summary>
    /// <param name="row">The row, null when an import's source yielded null.</param>
    /// <param name="importIndex">The row's position in an import, null for a <c>WriteAsync</c> row.</param>
    /// <param name="error">A <see cref="PostgresException"/>, or an <see cref="ArgumentException"/> for a row never sent.</param>
    /// <param name="cancellationToken">Passed to the sink.</param>
    public async Task RejectAsync(T? row, long? importIndex, Exception error, CancellationToken cancellationToken)
    {
        BatchingMetrics.RowsRejected.Add(1, _tag);
        if (error is PostgresException refused)
        {
            Log.RowRejected(logger, table, refused.SqlState, refused.MessageText);
        }
        else
        {
            Log.RowUnwritable(logger, table, importIndex, error.Message);
        }

        if (sink is null)
        {
            return;
        }

        try
        {
            await (error is PostgresException postgres
                ? sink.OnRejectedAsync(row!, postgres, cancellationToken)
                : sink.OnUnwritableAsync(row, importIndex, (ArgumentException)error, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.SinkFailed(logger, e, table);
        }
    }

    private async Task WriteIsolatingBadRowsAsync(
        ArraySegment<T> rows, int offset, List<(int Index, Exception Error)> rejected, StrongBox<NpgsqlLogSequenceNumber> position, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        try
        {
            position.Value = await committer.CommitAsync(rows, cancellationToken).ConfigureAwait(false);
            BatchingMetrics.RowsWritten.Add(rows.Count, _tag);
            BatchingMetrics.Batches.Add(1, _tag);
            BatchingMetrics.BatchSize.Record(rows.Count, _tag);
        }
        catch (UnwritableRowException unwritable) when (unwritable.Index >= 0)
        {
            // The row is known: it is set aside and the rows around it are written (and checked) without it.
            await WriteIsolatingBadRowsAsync(rows[..unwritable.Index], offset, rejected, position, cancellationToken).ConfigureAwait(false);
            rejected.Add((offset + unwritable.Index, unwritable.Error));
            await WriteIsolatingBadRowsAsync(rows[(unwritable.Index + 1)..], offset + unwritable.Index + 1, rejected, position, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is UnwritableRowException || (error is PostgresException postgres && TransientErrors.IsCausedByRows(postgres)))
        {
            if (rows.Count == 1)
            {
                rejected.Add((offset, error is UnwritableRowException { Error: var unwritable } ? (Exception)unwritable : error));
                return;
            }

            var half = rows.Count / 2;
            await WriteIsolatingBadRowsAsync(rows[..half], offset, rejected, position, cancellationToken).ConfigureAwait(false);
            await WriteIsolatingBadRowsAsync(rows[half..], offset + half, rejected, position, cancellationToken).ConfigureAwait(false);
        }
    }
}
