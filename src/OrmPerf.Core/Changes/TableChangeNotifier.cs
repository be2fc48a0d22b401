using Microsoft.Extensions.Logging;
using NpgsqlTypes;
using OrmPerf.Diagnostics;

namespace OrmPerf.Changes;

/// <summary>
/// Tells every registered <see cref="ITableChangeListener"/> that a batch committed to the writer's table, with the
/// commit's WAL position when one of them wants it (<see cref="WantsCommitPosition"/>: a cache or a router over read
/// replicas); the committer then reads it in the commit's own round trip. Called after the commit and before the batch's
/// <c>WriteAsync</c> tasks complete, so a producer that awaited its write reads fresh data through a cache. A listener
/// that throws is logged and skipped: the rows are already durable. Thread-safe.
/// </summary>
internal sealed class TableChangeNotifier(IEnumerable<ITableChangeListener> listeners, string table, ILogger logger)
{
    private readonly ITableChangeListener[] _listeners = listeners.ToArray();
    private readonly IReadOnlyList<string> _tables = [table];

    /// <summary>Whether a listener wants commit positions: only then are they read.</summary>
    public bool WantsCommitPosition => Array.Exists(_listeners, listener => listener.WantsCommitPosition);

    /// <param name="commitPosition">At or after the commit; <see langword="default"/> when unknown.</param>
    /// <param name="cancellationToken">Cancelled when the writer is shutting down.</param>
    public async Task NotifyAsync(NpgsqlLogSequenceNumber commitPosition, CancellationToken cancellationToken)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                await listener.OnTablesChangedAsync(_tables, commitPosition, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return; // shutting down or the import was cancelled: the rows stay written, the rest is moot
            }
            catch (Exception e)
            {
                Log.ChangeListenerFailed(logger, e, listener.GetType().Name, table);
            }
        }
    }
}
