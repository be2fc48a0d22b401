using Microsoft.Extensions.Logging;

namespace OrmPerf.Routing.Diagnostics;

/// <summary>
/// The <see cref="EventId"/> of every message OrmPerf.Routing logs, for filtering and alerting. Ids are stable across
/// versions and lie in OrmPerf.Routing's block, 3000-3999 (OrmPerf.Core uses 1000-1999, OrmPerf.Redis 2000-2999).
/// </summary>
public static class RoutingEventId
{
    /// <summary>Information: routing started over the configured replicas, with its balancing, lag limit and read-your-writes mode.</summary>
    public const int RouterStarted = 3000;

    /// <summary>Warning: a replica failed to serve a read, was marked down, and the read was retried elsewhere.</summary>
    public const int ReplicaFailed = 3001;

    /// <summary>Warning: a health probe found a replica unreachable.</summary>
    public const int ReplicaUnreachable = 3002;

    /// <summary>Information: a replica that was marked down answers a probe again and takes reads.</summary>
    public const int ReplicaRecovered = 3003;

    /// <summary>Warning: a replica is not in recovery while the primary answers elsewhere (split brain, or not a standby); it is excluded.</summary>
    public const int ReplicaNotInRecovery = 3004;

    /// <summary>Warning: the primary's WAL position could not be read; replica lag is estimated from replay timestamps.</summary>
    public const int PrimaryProbeFailed = 3005;

    /// <summary>Error: a round of health probes failed unexpectedly; the next round runs as planned.</summary>
    public const int ProbeRoundFailed = 3006;

    /// <summary>Warning: a replica was promoted (failover) and serves reads at its own position.</summary>
    public const int ReplicaPromoted = 3007;

    /// <summary>Error: a table change listener failed after a committed write; the write stands.</summary>
    public const int ChangeListenerFailed = 3008;
}
