using OrmPerf.Routing.Probing;

namespace OrmPerf.Routing.HealthChecks;

/// <summary>One replica as the health check reports it, from the router's state (its circuit and last probe).</summary>
internal static class ReplicaState
{
    /// <summary>Serves reads: reachable, a standby (or promoted by a failover), within the lag limits, circuit closed.</summary>
    public const string Up = "up";

    /// <summary>Reachable and a standby, but further behind than the lag limits allow (or its lag cannot be told).</summary>
    public const string Lagging = "lagging";

    /// <summary>Unreachable at the last probe, or marked down by a failed read until a probe succeeds.</summary>
    public const string Down = "down";

    /// <summary>Answers but is not in recovery while the primary answers elsewhere: a split brain, or not a standby.</summary>
    public const string Excluded = "excluded";

    /// <summary>Not probed yet.</summary>
    public const string Unprobed = "unprobed";

    /// <summary>The state of <paramref name="replica"/> by <paramref name="options"/>' lag limits.</summary>
    public static string Of(Replica replica, ReadReplicaOptions options) => replica.Health switch
    {
        null => Unprobed,
        { Reachable: false } => Down,
        _ when !replica.CircuitAdmits => Down,
        { InRecovery: false, Promoted: false } => Excluded,
        var health when !health.Qualifies(options) => Lagging,
        _ => Up,
    };

    /// <summary>What the check reports of one replica: its state and, when known, its lag and replay position.</summary>
    public static IReadOnlyDictionary<string, object> Describe(Replica replica, string state)
    {
        var description = new Dictionary<string, object> { ["state"] = state };
        if (replica.Health is { } health)
        {
            if (health.Lag is { } lag)
            {
                description["lagSeconds"] = lag.TotalSeconds;
            }

            if (health.LagBytes is { } bytes)
            {
                description["lagBytes"] = bytes;
            }

            if (health.ReplayPosition is { } replayed)
            {
                description["replayPosition"] = replayed.ToString();
            }

            if (health.Promoted)
            {
                description["promoted"] = true;
            }
        }

        return description;
    }
}
