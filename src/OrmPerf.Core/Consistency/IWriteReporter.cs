using NpgsqlTypes;

namespace OrmPerf.Consistency;

/// <summary>
/// Service provider interface for a package that routes reads (OrmPerf.Routing implements it; applications do not):
/// the scope side of the one write seam. A write committed on behalf of a scope (a DI scope, one request) by one of
/// OrmPerf's writers (an awaited batch write, <c>RowUpdate</c> on a connection registered with
/// <see cref="WriteScope.Track"/>) reports its commit position here, so the scope's later reads and its consistency token
/// cover it. The implementation makes itself known with <see cref="WriteScope.Enter"/> and <see cref="WriteScope.Track"/>.
/// </summary>
/// <remarks>
/// Contract: thread-safe; called after the write has committed, never inside its transaction;
/// <see cref="ReportAsync"/> hands the write on to every <see cref="Changes.ITableChangeListener"/> (the query cache
/// invalidates at the position) and must not throw because a listener failed, as the write stands.
/// </remarks>
public interface IWriteReporter
{
    /// <summary>
    /// Records a write of the scope committed at <paramref name="commitPosition"/> (at or after its commit record), whose
    /// tables the listeners were already told of (the batch writer's commit); <see langword="default"/> when unknown:
    /// the position is then read from the primary when the scope next needs it.
    /// </summary>
    /// <param name="commitPosition">The WAL position at or after the write's commit record, or <see langword="default"/>.</param>
    void RecordWrite(NpgsqlLogSequenceNumber commitPosition);

    /// <summary>
    /// Records a write of the scope to <paramref name="tables"/> committed at <paramref name="commitPosition"/> and tells
    /// every table change listener of it (<c>RowUpdate</c> on a routed write connection). A listener that throws is
    /// logged and skipped: the write is committed.
    /// </summary>
    /// <param name="tables">The tables the write changed, as written in its SQL.</param>
    /// <param name="commitPosition">The WAL position at or after the write's commit record.</param>
    /// <param name="cancellationToken">Cancels telling the listeners; the write itself is committed.</param>
    /// <returns>A task that completes when every listener was told.</returns>
    ValueTask ReportAsync(IReadOnlyList<string> tables, NpgsqlLogSequenceNumber commitPosition, CancellationToken cancellationToken);
}
