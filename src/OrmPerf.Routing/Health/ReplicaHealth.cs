using NpgsqlTypes;
using OrmPerf.Routing.Options;

namespace OrmPerf.Routing.Health;

/// <summary>What the last probe learnt about one replica. Immutable.</summary>
/// <param name="Reachable">A connection opened and the probe query answered within the probe timeout.</param>
/// <param name="InRecovery"><c>pg_is_in_recovery()</c>: the server is still a standby.</param>
/// <param name="ReplayPosition"><c>pg_last_wal_replay_lsn()</c>, the WAL position the replica's data reflects.</param>
/// <param name="Lag">How long the replica has been behind the primary; null when it cannot be told.</param>
/// <param name="LagBytes">Bytes of WAL between the primary's position and the replay position; null without the primary's position.</param>
internal sealed record ReplicaHealth(bool Reachable, bool InRecovery, NpgsqlLogSequenceNumber? ReplayPosition, TimeSpan? Lag, long? LagBytes)
{
    public static ReplicaHealth Unreachable { get; } = new(false, false, null, null, null);

    /// <summary>Whether the replica may serve reads: reachable, a standby, and within the lag limits.</summary>
    public bool Qualifies(ReadReplicaOptions options) =>
        Reachable
        && InRecovery
        && Lag is { } lag && lag <= options.MaxReplicaLag
        && !(options.MaxReplicaLagBytes is { } maxBytes && LagBytes is { } bytes && bytes > maxBytes);
}
