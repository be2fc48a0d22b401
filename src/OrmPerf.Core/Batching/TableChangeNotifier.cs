using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using OrmPerf.Changes;
using OrmPerf.Diagnostics;

namespace OrmPerf.Batching;

/// <summary>
/// Tells every registered <see cref="ITableChangeListener"/> that a batch committed to the writer's table. Called
/// after the commit and before the batch's <c>WriteAsync</c> tasks complete, so a producer that awaited its write reads
/// fresh data through a cache. When a listener wants the commit's WAL position (a cache over read replicas), it is read
/// once per notification from <paramref name="dataSource"/> (the primary the batch was committed on), after the commit,
/// so it is at or after it. A listener that throws is logged and skipped: the rows are already durable. Thread-safe.
/// </summary>
internal sealed class TableChangeNotifier(IEnumerable<ITableChangeListener> listeners, string table, ILogger logger, NpgsqlDataSource? dataSource = null)
{
    private readonly ITableChangeListener[] _listeners = listeners.ToArray();
    private readonly IReadOnlyList<string> _tables = [table];

    public async Task NotifyAsync(CancellationToken cancellationToken)
    {
        var position = await CommitPositionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var listener in _listeners)
        {
            try
            {
                await listener.OnTablesChangedAsync(_tables, position, cancellationToken).ConfigureAwait(false);
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

    // Unknown (default) when nobody asked or the primary cannot say: listeners then fall back to what they do without one.
    private async ValueTask<NpgsqlLogSequenceNumber> CommitPositionAsync(CancellationToken cancellationToken)
    {
        if (dataSource is null || !Array.Exists(_listeners, listener => listener.WantsCommitPosition))
        {
            return default;
        }

        try
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var command = new NpgsqlCommand("SELECT pg_current_wal_lsn()", connection);
            await using var commandDisposal = command.ConfigureAwait(false);
            return (NpgsqlLogSequenceNumber)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            Log.ChangeListenerFailed(logger, e, nameof(CommitPositionAsync), table);
            return default;
        }
    }
}
