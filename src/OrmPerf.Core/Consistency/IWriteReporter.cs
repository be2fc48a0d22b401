using NpgsqlTypes;

namespace OrmPerf.Consistency;

/// <summary>
/// The scope side of the one write seam: a write committed on behalf of a scope (a DI scope, one request) reports its
/// commit position here, so the scope's later reads and its consistency token cover it. Implemented by OrmPerf.Routing's
/// scoped router, which also hands a reported write on to every <see cref="Changes.ITableChangeListener"/> (the query
/// cache invalidates at the position, the router raises the newest position it knows). Found through
/// <see cref="WriteScope"/>. Exists only when read replicas are configured. Thread-safe.
/// </summary>
internal interface IWriteReporter
{
    /// <summary>
    /// Records a write of the scope committed at <paramref name="commitPosition"/> (at or after its commit record), whose
    /// tables the listeners were already told of (the batch writer's commit); <see langword="default"/> when unknown:
    /// the position is then read from the primary when the scope next needs it.
    /// </summary>
    void RecordWrite(NpgsqlLogSequenceNumber commitPosition);

    /// <summary>
    /// Records a write of the scope to <paramref name="tables"/> committed at <paramref name="commitPosition"/> and tells
    /// every table change listener of it (<c>RowUpdate</c> on a routed write connection). A listener that throws is
    /// logged and skipped: the write is committed.
    /// </summary>
    ValueTask ReportAsync(IReadOnlyList<string> tables, NpgsqlLogSequenceNumber commitPosition, CancellationToken cancellationToken);
}
