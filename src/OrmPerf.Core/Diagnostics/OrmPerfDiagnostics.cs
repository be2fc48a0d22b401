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

    // Caching

    /// <summary>Counter of reads served from the query cache (tag <see cref="CacheNameTag"/>).</summary>
    public const string CacheHits = "ormperf.cache.hits";

    /// <summary>Counter of reads that found no fresh entry in the query cache.</summary>
    public const string CacheMisses = "ormperf.cache.misses";

    /// <summary>Counter of query-cache factory runs (one per key however many callers wait).</summary>
    public const string CacheFactoryRuns = "ormperf.cache.factory_runs";

    /// <summary>Counter of expired results served because the factory failed within the fail-safe window.</summary>
    public const string CacheStaleServed = "ormperf.cache.stale_served";

    /// <summary>Counter of tags invalidated in the query cache.</summary>
    public const string CacheInvalidations = "ormperf.cache.invalidations";

    /// <summary>Histogram of query-cache factory run durations, in seconds.</summary>
    public const string CacheFactoryDuration = "ormperf.cache.factory.duration";

    /// <summary>The span of a query-cache fill: the second-level read, then the factory when needed (tag <see cref="CacheKeyTag"/>).</summary>
    public const string CacheFillSpan = "ormperf.cache.fill";

    /// <summary>The tag naming the query cache (<c>QueryCacheOptions.Name</c>) on its instruments.</summary>
    public const string CacheNameTag = "ormperf.cache.name";

    /// <summary>The tag carrying the query key's id on a <see cref="CacheFillSpan"/>.</summary>
    public const string CacheKeyTag = "ormperf.cache.key";

    /// <summary>The OpenTelemetry tag of a failed span: the exception's full type name.</summary>
    public const string ErrorTypeTag = "error.type";

    private static readonly string? Version = typeof(OrmPerfDiagnostics).Assembly.GetName().Version?.ToString();

    internal static Meter Meter { get; } = new(MeterName, Version);

    internal static ActivitySource ActivitySource { get; } = new(ActivitySourceName, Version);
}
