using System.Data.Common;
using System.Runtime.CompilerServices;
using NpgsqlTypes;

namespace OrmPerf.Consistency;

/// <summary>
/// Service provider interface for a package that routes reads (OrmPerf.Routing uses it; applications do not): how a
/// write finds the scope it belongs to without the caller saying so: the scope's router makes itself the
/// ambient reporter of the async flow that resolved it (<see cref="Current"/>, read by the singleton batch writer when a
/// write is awaited), and tags the connections it opens for writing (<see cref="Of"/>, read by <c>RowUpdate</c>). Both
/// are empty when no read replicas are configured, so nothing is looked up or recorded then. Thread-safe.
/// </summary>
/// <remarks>
/// The ambient value follows <see cref="AsyncLocal{T}"/> rules: set when the router is resolved, it is seen by the rest
/// of that method and by what it calls, not by its caller once an async method that resolved it returned. A flow that
/// resolves several scopes' routers one after the other reports to the last one.
/// </remarks>
public static class WriteScope
{
    private static readonly AsyncLocal<IWriteReporter?> Ambient = new();
    private static readonly ConditionalWeakTable<DbConnection, IWriteReporter> Connections = new();
    // Set once a router has tracked a connection: until then (no read replicas in the process) a lookup costs a field read.
    private static volatile bool _tracking;

    /// <summary>The reporter of the scope whose router was last resolved in this async flow, if any.</summary>
    internal static IWriteReporter? Current => Ambient.Value;

    /// <summary>Makes <paramref name="reporter"/> the current one for the rest of this async flow.</summary>
    /// <param name="reporter">The scope's reporter, typically its router as it is resolved.</param>
    public static void Enter(IWriteReporter reporter)
    {
        ArgumentNullException.ThrowIfNull(reporter);
        Ambient.Value = reporter;
    }

    /// <summary>Marks <paramref name="connection"/> as opened for writing on behalf of <paramref name="reporter"/>'s scope.</summary>
    /// <param name="connection">A connection to the primary the scope opened for writing.</param>
    /// <param name="reporter">The scope's reporter, told of writes <c>RowUpdate</c> commits on the connection.</param>
    public static void Track(DbConnection connection, IWriteReporter reporter)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(reporter);
        Connections.AddOrUpdate(connection, reporter);
        _tracking = true;
    }

    /// <summary>
    /// Hands a write made with <paramref name="sql"/> to <paramref name="reporter"/>'s
    /// <see cref="IWriteReporter.ReportAsync"/> with the tables the statement writes, as OrmPerf parses them for its
    /// cache tags. A statement whose tables cannot be told is not reported: it is left to the application's
    /// invalidation. For a router's own write commands, which run no OrmPerf writer.
    /// </summary>
    /// <param name="reporter">The scope's reporter.</param>
    /// <param name="sql">The committed write's SQL text.</param>
    /// <param name="commitPosition">The WAL position at or after the write's commit record; <see langword="default"/> when unknown.</param>
    /// <param name="cancellationToken">Cancels telling the listeners; the write itself is committed.</param>
    /// <returns>A task that completes when the reporter was told, or at once when the tables cannot be told.</returns>
    public static ValueTask ReportStatementAsync(IWriteReporter reporter, string sql, NpgsqlLogSequenceNumber commitPosition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reporter);
        ArgumentNullException.ThrowIfNull(sql);
        return Sql.SqlTableParser.WrittenTables(sql) is { Count: > 0 } tables
            ? reporter.ReportAsync([.. tables], commitPosition, cancellationToken)
            : ValueTask.CompletedTask;
    }

    /// <summary>The scope <paramref name="connection"/> was opened for writing by, if any.</summary>
    internal static IWriteReporter? Of(DbConnection connection) =>
        _tracking && Connections.TryGetValue(connection, out var reporter) ? reporter : null;
}
