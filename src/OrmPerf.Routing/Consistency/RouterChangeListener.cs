using NpgsqlTypes;
using OrmPerf.Changes;

namespace OrmPerf.Routing.Consistency;

/// <summary>
/// The router's side of the write seam: a commit position reported by OrmPerf's writers (the batch writer, when a
/// listener such as the query cache asked for it) raises the newest position the router knows of, which is what a
/// cache fill read on the primary is stamped with. It asks for no position itself: without a cache nothing reads it.
/// Registered by <c>AddReadReplicas</c>. Thread-safe.
/// </summary>
internal sealed class RouterChangeListener(ServerSet servers) : ITableChangeListener
{
    public ValueTask OnTablesChangedAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask OnTablesChangedAsync(IReadOnlyList<string> tables, NpgsqlLogSequenceNumber commitPosition, CancellationToken cancellationToken)
    {
        servers.ObserveWritePosition(commitPosition);
        return ValueTask.CompletedTask;
    }
}
