using NpgsqlTypes;

namespace OrmPerf.Consistency;

/// <summary>
/// What a scope demands of the data it reads: the WAL position of its consistency token (its own writes, tokens it was
/// given), or none. Implemented by OrmPerf.Routing's router and its routed data sources; the query cache reads it so
/// that a scope is never served an entry older than its token. Thread-safe.
/// </summary>
internal interface IReadRequirement
{
    /// <summary>
    /// The position reads must reflect, or <see langword="default"/> for none. Completes synchronously unless a write
    /// of the scope has yet to have its position read from the primary.
    /// </summary>
    ValueTask<NpgsqlLogSequenceNumber> RequiredPositionAsync(CancellationToken cancellationToken);
}
