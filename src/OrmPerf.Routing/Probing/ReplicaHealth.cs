using NpgsqlTypes;

namespace OrmPerf.Routing.Probing;

/// <summary>What the last probe learnt about one replica. Immutable.</summary>
/// <param name="Reachable">A connection opened and the probe query answered within the probe timeout.</param>
/// <param name="InRecovery"><c>pg_is_in_recovery()</c>: the server is still a standby.</param>
/// <param name="ReplayPosition"><c>pg_last_wal_replay_lsn()</c>, the WAL position the replica's data reflects.</param>
/// <param name="Lag">How long the replica has been behind the primary; null when it cannot be told.</param>
/// <param name="LagBytes">Bytes of WAL between the primary's position and the replay position; null without the primary's position.</param>
/// <param name="Promoted">
/// No longer in recovery, and either the primary's data source now reaches this very server or the primary is
/// unreachable: a failover, not a split brain. Such a server has every write it replayed and every write made on it
/// since, so it serves reads (its <paramref name="ReplayPosition"/> is then its current WAL position).
/// </param>
internal sealed record ReplicaHealth(bool Reachable, bool InRecovery, NpgsqlLogSequenceNumber? ReplayPosition, TimeSpan? Lag, long? LagBytes, bool Promoted = false)
{
    public static ReplicaHealth Unreachable { get; } = new(false, false, null, null, null);

    /// <summary>Whether the replica may serve reads: reachable, a standby (or promoted by a failover), and within the lag limits.</summary>
    public bool Qualifies(ReadReplicaOptions options) =>
        Reachable
        && (InRecovery || Promoted)
        && Lag is { } lag && lag <= options.MaxReplicaLag
        && !(options.MaxReplicaLagBytes is { } maxBytes && LagBytes is { } bytes && bytes > maxBytes);
}
