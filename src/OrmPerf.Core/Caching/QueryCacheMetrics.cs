using System.Diagnostics.Metrics;
using OrmPerf.Diagnostics;

namespace OrmPerf.Caching;

/// <summary>The query cache's instruments on the <c>OrmPerf</c> meter. Thread-safe.</summary>
internal static class QueryCacheMetrics
{
    public static readonly Counter<long> Hits = OrmPerfDiagnostics.Meter.CreateCounter<long>(
        OrmPerfDiagnostics.CacheHits, "{hit}", "Reads served from the query cache.");

    public static readonly Counter<long> Misses = OrmPerfDiagnostics.Meter.CreateCounter<long>(
        OrmPerfDiagnostics.CacheMisses, "{miss}", "Reads that found no fresh entry in the query cache.");

    public static readonly Counter<long> FactoryRuns = OrmPerfDiagnostics.Meter.CreateCounter<long>(
        OrmPerfDiagnostics.CacheFactoryRuns, "{run}", "Query-cache factory runs (one per key however many callers wait).");

    public static readonly Counter<long> StaleServed = OrmPerfDiagnostics.Meter.CreateCounter<long>(
        OrmPerfDiagnostics.CacheStaleServed, "{result}", "Expired results served because the factory failed within the fail-safe window.");

    public static readonly Counter<long> Invalidations = OrmPerfDiagnostics.Meter.CreateCounter<long>(
        OrmPerfDiagnostics.CacheInvalidations, "{tag}", "Tags invalidated in the query cache.");

    public static readonly Histogram<double> FactoryDuration = OrmPerfDiagnostics.Meter.CreateHistogram<double>(
        OrmPerfDiagnostics.CacheFactoryDuration, "s", "Duration of query-cache factory runs.");
}
