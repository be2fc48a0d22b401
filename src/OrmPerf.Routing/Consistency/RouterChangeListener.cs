using NpgsqlTypes;
using OrmPerf.Changes;

namespace OrmPerf.Routing.Consistency;

/// <summary>
/// The router's process-wide side of the write seam: a commit position reported by OrmPerf's writers (the batch
/// writer's commits, <c>RowUpdate</c> on a routed write connection) raises the newest position the router knows of,
/// which is what a cache fill read on the primary is stamped with. It asks for commit positions when replicas are
/// configured with <see cref="ReadYourWritesMode.WalPosition"/>, so that an awaited batch write can become its scope's
/// write (the scope's side is the scoped router, <see cref="OrmPerf.Consistency.IWriteReporter"/>); the batch writer
/// reads them in the commit's own round trip. Registered by <c>AddReadReplicas</c>. Thread-safe.
/// </summary>
internal sealed class RouterChangeListener(ServerSet servers) : ITableChangeListener
{
    public bool WantsCommitPosition => servers.Replicas.Count > 0 && servers.Options.ReadYourWrites == ReadYourWritesMode.WalPosition;

    public ValueTask OnTablesChangedAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask OnTablesChangedAsync(IReadOnlyList<string> tables, NpgsqlLogSequenceNumber commitPosition, CancellationToken cancellationToken)
    {
        servers.ObserveWritePosition(commitPosition);
        return ValueTask.CompletedTask;
    }
}
