using NpgsqlTypes;

namespace OrmPerf.Consistency;

/// <summary>
/// Service provider interface for a package that routes reads (OrmPerf.Routing implements it; applications do not):
/// what a scope demands of the data it reads, the WAL position of its consistency token (its own writes, tokens it was
/// given), or none. The query cache looks for it on the data source a cached query reads from and as a scoped service,
/// so that a scope is never served an entry older than its demand.
/// </summary>
/// <remarks>
/// Contract: thread-safe; the position never goes back within a scope; <see langword="default"/> means no demand. The
/// cache then serves only entries read at or after the position, and a fill it starts carries the position as its
/// <see cref="CacheFill.Demand"/>.
/// </remarks>
public interface IReadRequirement
{
    /// <summary>
    /// The position reads must reflect, or <see langword="default"/> for none. Should complete synchronously unless a
    /// write of the scope has yet to have its position read from the primary.
    /// </summary>
    /// <param name="cancellationToken">Cancels reading a pending write's position.</param>
    /// <returns>The WAL position reads must be at or after; <see langword="default"/> for none.</returns>
    ValueTask<NpgsqlLogSequenceNumber> RequiredPositionAsync(CancellationToken cancellationToken);
}
