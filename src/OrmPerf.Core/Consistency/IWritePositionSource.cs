using NpgsqlTypes;

namespace OrmPerf.Consistency;

/// <summary>
/// Where the WAL position of a write comes from when its writer did not report one (an invalidation called by the
/// application after its own write): the primary's current position, which is at or after every committed write.
/// Registered by <c>AddReadReplicas</c>; without replicas there is none, and invalidations carry no position (nothing
/// can serve a read older than the primary). Thread-safe.
/// </summary>
internal interface IWritePositionSource
{
    /// <summary>The primary's current WAL position (<c>pg_current_wal_lsn()</c>), one round trip.</summary>
    ValueTask<NpgsqlLogSequenceNumber> CurrentAsync(CancellationToken cancellationToken);
}
