using System.Diagnostics.Metrics;

namespace OrmPerf.Routing.Diagnostics;

/// <summary>
/// The meter and instrument names of OrmPerf.Routing, for OpenTelemetry's <c>AddMeter(RoutingDiagnostics.MeterName)</c>
/// and for dashboards. Every instrument carries the tag <see cref="TargetTag"/> (a server name: <c>primary</c> or a
/// replica's name); the counters of fallbacks also carry <see cref="ReasonTag"/>.
/// </summary>
public static class RoutingDiagnostics
{
    /// <summary>The name of OrmPerf.Routing's <see cref="Meter"/>.</summary>
    public const string MeterName = "OrmPerf.Routing";

    /// <summary>Counter: read connections opened, per target server.</summary>
    public const string Reads = "ormperf.routing.reads";

    /// <summary>Counter: write connections opened (always on the primary).</summary>
    public const string Writes = "ormperf.routing.writes";

    /// <summary>Counter: reads sent to the primary although replicas are configured, per <see cref="ReasonTag"/>.</summary>
    public const string Fallbacks = "ormperf.routing.fallbacks";

    /// <summary>Counter: reads that failed on a replica and were retried elsewhere, per failed replica.</summary>
    public const string Failovers = "ormperf.routing.failovers";

    /// <summary>Gauge, seconds: how far each replica's replay is behind the primary, as last probed.</summary>
    public const string ReplicaLag = "ormperf.routing.replica.lag";

    /// <summary>Gauge, bytes of WAL: how far each replica's replay position is behind the primary's, as last probed.</summary>
    public const string ReplicaLagBytes = "ormperf.routing.replica.lag_bytes";

    /// <summary>Gauge: each replica's circuit: 0 closed, 1 open, 2 half-open, 3 isolated (marked down until a probe succeeds).</summary>
    public const string CircuitState = "ormperf.routing.circuit.state";

    /// <summary>The tag naming the server.</summary>
    public const string TargetTag = "ormperf.routing.target";

    /// <summary>
    /// The tag saying why a read went to the primary: <c>no_replica_qualifies</c>, <c>read_your_writes</c>,
    /// <c>locking_or_writing_sql</c>, <c>transaction</c> or <c>replicas_failed</c>.
    /// </summary>
    public const string ReasonTag = "ormperf.routing.reason";

    private static readonly string? Version = typeof(RoutingDiagnostics).Assembly.GetName().Version?.ToString();

    internal static Meter Meter { get; } = new(MeterName, Version);
}
