using System.Data.Common;
using System.Runtime.CompilerServices;

namespace OrmPerf.Consistency;

/// <summary>
/// How a write finds the scope it belongs to without the caller saying so: the scope's router makes itself the
/// ambient reporter of the async flow that resolved it (<see cref="Current"/>, read by the singleton batch writer when a
/// write is awaited), and tags the connections it opens for writing (<see cref="Of"/>, read by <c>RowUpdate</c>). Both
/// are empty when no read replicas are configured, so nothing is looked up or recorded then. Thread-safe.
/// </summary>
/// <remarks>
/// The ambient value follows <see cref="AsyncLocal{T}"/> rules: set when the router is resolved, it is seen by the rest
/// of that method and by what it calls, not by its caller once an async method that resolved it returned. A flow that
/// resolves several scopes' routers one after the other reports to the last one.
/// </remarks>
internal static class WriteScope
{
    private static readonly AsyncLocal<IWriteReporter?> Ambient = new();
    private static readonly ConditionalWeakTable<DbConnection, IWriteReporter> Connections = new();
    // Set once a router has tracked a connection: until then (no read replicas in the process) a lookup costs a field read.
    private static volatile bool _tracking;

    /// <summary>The reporter of the scope whose router was last resolved in this async flow, if any.</summary>
    public static IWriteReporter? Current => Ambient.Value;

    /// <summary>Makes <paramref name="reporter"/> the current one for the rest of this async flow.</summary>
    public static void Enter(IWriteReporter reporter) => Ambient.Value = reporter;

    /// <summary>Marks <paramref name="connection"/> as opened for writing on behalf of <paramref name="reporter"/>'s scope.</summary>
    public static void Track(DbConnection connection, IWriteReporter reporter)
    {
        Connections.AddOrUpdate(connection, reporter);
        _tracking = true;
    }

    /// <summary>The scope <paramref name="connection"/> was opened for writing by, if any.</summary>
    public static IWriteReporter? Of(DbConnection connection) =>
        _tracking && Connections.TryGetValue(connection, out var reporter) ? reporter : null;
}
