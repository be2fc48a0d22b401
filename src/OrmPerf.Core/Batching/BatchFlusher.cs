using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrmPerf.Diagnostics;

namespace OrmPerf.Batching;

/// <summary>
/// Writes a batch so that bad rows cannot sink it: when PostgreSQL refuses the batch because of its rows, the batch is
/// split in halves until each bad row stands alone; the good parts are committed, each bad row goes to the dead-letter
/// sink. Once the good rows are committed, the table change listeners hear of it. Records the batch metrics and one
/// <c>ormperf.batch.flush</c> activity per batch. Thread-safe.
/// </summary>
internal sealed class BatchFlusher<T>(
    BatchCommitter<T> committer, string table, IRejectedRowSink<T>? sink, TableChangeNotifier changes, TimeProvider timeProvider, ILogger logger)
{
    private readonly KeyValuePair<string, object?> _tag = new(BatchingMetrics.TableTag, table);

    /// <summary>
    /// Commits the good rows of <paramref name="rows"/> and returns the bad ones by index; throws when the batch
    /// failed for another reason (then nothing of it that was not already reported committed).
    /// </summary>
    public async Task<IReadOnlyList<(int Index, PostgresException Error)>> FlushAsync(ArraySegment<T> rows, CancellationToken cancellationToken)
    {
        using var activity = OrmPerfDiagnostics.ActivitySource.StartActivity("ormperf.batch.flush");
        activity?.SetTag(BatchingMetrics.TableTag, table);
        activity?.SetTag("ormperf.batch.rows", rows.Count);
        var started = timeProvider.GetTimestamp();
        var rejected = new List<(int Index, PostgresException Error)>();
        try
        {
            await WriteIsolatingBadRowsAsync(rows, 0, rejected, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            BatchingMetrics.FlushDuration.Record(timeProvider.GetElapsedTime(started).TotalSeconds, _tag);
        }

        activity?.SetTag("ormperf.batch.rows_rejected", rejected.Count);
        if (rejected.Count < rows.Count)
        {
            await changes.NotifyAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var (index, error) in rejected)
        {
            BatchingMetrics.RowsRejected.Add(1, _tag);
            Log.RowRejected(logger, table, error.SqlState, error.MessageText);
            if (sink is not null)
            {
                try
                {
                    await sink.OnRejectedAsync(rows[index], error, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.SinkFailed(logger, e, table);
                }
            }
        }

        return rejected;
    }

    private async Task WriteIsolatingBadRowsAsync(
        ArraySegment<T> rows, int offset, List<(int Index, PostgresException Error)> rejected, CancellationToken cancellationToken)
    {
        try
        {
            await committer.CommitAsync(rows, cancellationToken).ConfigureAwait(false);
            BatchingMetrics.RowsWritten.Add(rows.Count, _tag);
            BatchingMetrics.Batches.Add(1, _tag);
            BatchingMetrics.BatchSize.Record(rows.Count, _tag);
        }
        catch (PostgresException error) when (TransientErrors.IsCausedByRows(error))
        {
            if (rows.Count == 1)
            {
                rejected.Add((offset, error));
                return;
            }

            var half = rows.Count / 2;
            await WriteIsolatingBadRowsAsync(rows[..half], offset, rejected, cancellationToken).ConfigureAwait(false);
            await WriteIsolatingBadRowsAsync(rows[half..], offset + half, rejected, cancellationToken).ConfigureAwait(false);
        }
    }
}
