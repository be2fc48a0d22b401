namespace OrmPerf.Routing;

/// <summary>
/// Settings of <c>builder.AddReadReplicas(...)</c>. Validated when the host starts; an invalid value fails start-up
/// with a message naming the setting and the value.
/// </summary>
public sealed class ReadReplicaOptions
{
    /// <summary>The read replicas. Empty is valid: every read then goes to the primary.</summary>
    public List<ReplicaEndpoint> Replicas { get; set; } = [];

    /// <summary>A replica further behind the primary than this is excluded from reads until it catches up. Default 5 seconds.</summary>
    public TimeSpan MaxReplicaLag { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Optionally, a replica whose replay position is more than this many bytes of WAL behind the primary is excluded
    /// too. <see langword="null"/> (the default) checks time only.
    /// </summary>
    public long? MaxReplicaLagBytes { get; set; }

    /// <summary>How reads are spread over qualifying replicas. Default <see cref="ReplicaBalancing.RoundRobin"/>.</summary>
    public ReplicaBalancing Balancing { get; set; } = ReplicaBalancing.RoundRobin;

    /// <summary>What a read does when no replica qualifies. Default <see cref="NoReplicaFallback.UsePrimary"/>.</summary>
    public NoReplicaFallback WhenNoReplicaQualifies { get; set; } = NoReplicaFallback.UsePrimary;

    /// <summary>How reads after a write see that write. Default <see cref="ReadYourWritesMode.WalPosition"/>.</summary>
    public ReadYourWritesMode ReadYourWrites { get; set; } = ReadYourWritesMode.WalPosition;

    /// <summary>With <see cref="ReadYourWritesMode.TimeWindow"/>, how long after a write reads go to the primary. Default 2 seconds.</summary>
    public TimeSpan ReadYourWritesWindow { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the health monitor probes every replica (and the primary's WAL position). Default 1 second.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one probe of one server may take before the server counts as unreachable. Default 2 seconds.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
