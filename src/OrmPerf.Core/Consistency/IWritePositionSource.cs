using NpgsqlTypes;

namespace OrmPerf.Consistency;

/// <summary>
/// Service provider interface for a package that routes reads (OrmPerf.Routing registers one; applications do not):
/// where the WAL position of a write comes from when its writer did not report one (an invalidation called by the
/// application after its own write). The query cache resolves it as a singleton; without one (no read replicas)
/// invalidations carry no position, as nothing can serve a read older than the primary.
/// </summary>
/// <remarks>Contract: thread-safe; the position returned is the primary's, at or after every write committed before the call.</remarks>
public interface IWritePositionSource
{
    /// <summary>The primary's current WAL position (<c>pg_current_wal_lsn()</c>), one round trip.</summary>
    /// <param name="cancellationToken">Cancels the round trip.</param>
    /// <returns>The primary's current WAL position.</returns>
    ValueTask<NpgsqlLogSequenceNumber> CurrentAsync(CancellationToken cancellationToken);
}
