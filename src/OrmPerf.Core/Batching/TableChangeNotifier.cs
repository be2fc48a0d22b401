using Microsoft.Extensions.Logging;
using OrmPerf.Changes;
using OrmPerf.Diagnostics;

namespace OrmPerf.Batching;

/// <summary>
/// Tells every registered <see cref="ITableChangeListener"/> that a batch committed to the writer's table. Called
/// after the commit and before the batch's <c>WriteAsync</c> tasks complete, so a producer that awaited its write reads
/// fresh data through a cache. A listener that throws is logged and skipped: the rows are already durable. Thread-safe.
/// </summary>
internal sealed class TableChangeNotifier(IEnumerable<ITableChangeListener> listeners, string table, ILogger logger)
{
    private readonly ITableChangeListener[] _listeners = listeners.ToArray();
    private readonly IReadOnlyList<string> _tables = [table];

    public async Task NotifyAsync(CancellationToken cancellationToken)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                await listener.OnTablesChangedAsync(_tables, cancellationToken).ConfigureAwait(false);
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
