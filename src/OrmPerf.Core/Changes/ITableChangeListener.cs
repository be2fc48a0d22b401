using NpgsqlTypes;

namespace OrmPerf.Changes;

/// <summary>
/// Told after OrmPerf has committed writes to tables, so the things that read those tables (cached query results,
/// materialized views, the read router) can react without the writer knowing about them: the one seam through which the
/// batch writer and <c>RowUpdate</c> on a routed write connection report their commits and commit positions.
/// </summary>
/// <remarks>
/// Register any number of listeners as singletons with
/// <c>services.TryAddEnumerable(ServiceDescriptor.Singleton&lt;ITableChangeListener, TListener&gt;())</c>.
/// Listeners are called after the transaction has committed, never inside it, and may be called concurrently from
/// several writers, so implementations must be thread-safe. An exception thrown by a listener is logged by the caller
/// and does not fault the write: the rows are already durable.
/// </remarks>
public interface ITableChangeListener
{
    /// <summary>Called once per committed transaction with the tables it wrote.</summary>
    /// <param name="tables">
    /// The tables written, unquoted, as <c>schema.table</c> when the writer knows the schema and <c>table</c> otherwise.
    /// </param>
    /// <param name="cancellationToken">Cancelled when the writer is shutting down.</param>
    ValueTask OnTablesChangedAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken);

    /// <summary>
    /// Whether this listener wants the commit's WAL position: a writer then reads it in the commit's own round trip
    /// (<c>COMMIT</c> and <c>SELECT pg_current_wal_insert_lsn()</c> in one batch) and calls <see cref="OnTablesChangedAsync(IReadOnlyList{string}, NpgsqlLogSequenceNumber, CancellationToken)"/>.
    /// Default: no.
    /// </summary>
    bool WantsCommitPosition => false;

    /// <summary>
    /// Called once per committed transaction with the tables it wrote and the WAL position at or after its commit
    /// (<see langword="default"/> when no listener asked for it), so that caches and routers can demand that position of
    /// later reads. Default: <see cref="OnTablesChangedAsync(IReadOnlyList{string}, CancellationToken)"/>.
    /// </summary>
    /// <param name="tables">As for the overload without a position.</param>
    /// <param name="commitPosition">The WAL position at or after the commit; <see langword="default"/> when unknown.</param>
    /// <param name="cancellationToken">Cancelled when the writer is shutting down.</param>
    ValueTask OnTablesChangedAsync(IReadOnlyList<string> tables, NpgsqlLogSequenceNumber commitPosition, CancellationToken cancellationToken) =>
        OnTablesChangedAsync(tables, cancellationToken);
}
