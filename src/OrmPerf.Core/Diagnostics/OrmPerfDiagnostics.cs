using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrmPerf.Diagnostics;

/// <summary>
/// Names under which OrmPerf.Core publishes metrics and traces, for OpenTelemetry's <c>AddMeter</c> and
/// <c>AddSource</c>. Add-on packages publish under names that start with <see cref="MeterName"/> and a dot
/// (e.g. <c>OrmPerf.Redis</c>), so <c>AddMeter("OrmPerf*")</c> collects the whole family.
/// </summary>
public static class OrmPerfDiagnostics
{
    /// <summary>The name of OrmPerf.Core's <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = "OrmPerf";

    /// <summary>The name of OrmPerf.Core's <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string ActivitySourceName = "OrmPerf";

    private static readonly string? Version = typeof(OrmPerfDiagnostics).Assembly.GetName().Version?.ToString();

    internal static Meter Meter { get; } = new(MeterName, Version);

    internal static ActivitySource ActivitySource { get; } = new(ActivitySourceName, Version);
}
