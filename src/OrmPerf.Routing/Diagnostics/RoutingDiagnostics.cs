using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrmPerf.Routing.Diagnostics;

/// <summary>
/// The names under which OrmPerf.Routing publishes metrics and traces, for OpenTelemetry's
/// <c>AddMeter(RoutingDiagnostics.MeterName)</c> and <c>AddSource(RoutingDiagnostics.ActivitySourceName)</c>, and for
/// dashboards. Every instrument carries <see cref="TargetTag"/> (a server name: <c>primary</c> or a replica's name),
/// except the fallback counter, which carries <see cref="ReasonTag"/>. Each routed open is a span named
/// <see cref="OpenSpan"/>.
/// </summary>
public static class RoutingDiagnostics
{
    /// <summary>The name of OrmPerf.Routing's <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = "OrmPerf.Routing";

    /// <summary>The name of OrmPerf.Routing's <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string ActivitySourceName = "OrmPerf.Routing";

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

    /// <summary>
    /// Span: one routed open, from the choice of server to the open connection (failovers to other replicas included).
    /// Tagged with <see cref="DbSystemNameTag"/>, <see cref="IntentTag"/>, <see cref="TargetTag"/> and, when the read
    /// went to the primary for a reason, <see cref="ReasonTag"/>. On failure its status is
    /// <see cref="ActivityStatusCode.Error"/> with the exception's type name, and <see cref="ErrorTypeTag"/> is set.
    /// </summary>
    public const string OpenSpan = "ormperf.routing.open";

    /// <summary>The OpenTelemetry tag naming the database system; always <see cref="DbSystemName"/>.</summary>
    public const string DbSystemNameTag = "db.system.name";

    /// <summary>The value of <see cref="DbSystemNameTag"/>.</summary>
    public const string DbSystemName = "postgresql";

    /// <summary>The tag naming the server: <c>primary</c> or a replica's name.</summary>
    public const string TargetTag = "ormperf.routing.target";

    /// <summary>The tag of the caller's intent on <see cref="OpenSpan"/>: <c>read</c> or <c>write</c>.</summary>
    public const string IntentTag = "ormperf.routing.intent";

    /// <summary>
    /// The tag saying why a read went to the primary: <c>no_replica_qualifies</c>, <c>read_your_writes</c>,
    /// <c>locking_or_writing_sql</c>, <c>transaction</c> or <c>replicas_failed</c>.
    /// </summary>
    public const string ReasonTag = "ormperf.routing.reason";

    /// <summary>The OpenTelemetry tag of a failed span: the exception's full type name.</summary>
    public const string ErrorTypeTag = "error.type";

    private static readonly string? Version = typeof(RoutingDiagnostics).Assembly.GetName().Version?.ToString();

    internal static Meter Meter { get; } = new(MeterName, Version);

    internal static ActivitySource ActivitySource { get; } = new(ActivitySourceName, Version);
}
