using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrmPerf.Diagnostics;

namespace OrmPerf.MaterializedViews;

/// <summary>Materialized-view instruments. Tags: <c>view</c> (the registered, bounded set) and <c>outcome</c>.</summary>
internal static class MaterializedViewMetrics
{
    public static readonly Counter<long> Refreshes = OrmPerfDiagnostics.Meter.CreateCounter<long>(
        "ormperf.mv.refreshes", unit: "{refresh}", description: "Materialized-view refresh attempts by outcome: plain, concurrently, skipped, failed.");

    public static readonly Histogram<double> RefreshDuration = OrmPerfDiagnostics.Meter.CreateHistogram<double>(
        "ormperf.mv.refresh.duration", unit: "s", description: "Duration of materialized-view refreshes that ran.");

    public static void Record(string view, string outcome, TimeSpan? duration)
    {
        var tags = new TagList { { "view", view }, { "outcome", outcome } };
        Refreshes.Add(1, tags);
        if (duration is { } elapsed)
        {
            RefreshDuration.Record(elapsed.TotalSeconds, tags);
        }
    }
}
