using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrmPerf.Diagnostics;

namespace OrmPerf.MaterializedViews;

/// <summary>
/// Materialized-view instruments and the <see cref="OrmPerfDiagnostics.ViewRefreshSpan"/> span. Tags: the database
/// system, the view (<see cref="OrmPerfDiagnostics.DbCollectionNameTag"/>: the registered, bounded set) and the outcome.
/// </summary>
internal static class MaterializedViewMetrics
{
    public static readonly Counter<long> Refreshes = OrmPerfDiagnostics.Meter.CreateCounter<long>(
        OrmPerfDiagnostics.ViewRefreshes, unit: "{refresh}", description: "Materialized-view refresh attempts by outcome: plain, concurrently, skipped, failed.");

    public static readonly Histogram<double> RefreshDuration = OrmPerfDiagnostics.Meter.CreateHistogram<double>(
        OrmPerfDiagnostics.ViewRefreshDuration, unit: "s", description: "Duration of materialized-view refreshes that ran.");

    /// <summary>Starts the span of one refresh of <paramref name="view"/> (as the caller named it), or null when nobody listens.</summary>
    public static Activity? StartRefresh(string view) =>
        OrmPerfDiagnostics.ActivitySource.StartActivity(OrmPerfDiagnostics.ViewRefreshSpan, ActivityKind.Internal, default(ActivityContext), new TagList
        {
            { OrmPerfDiagnostics.DbSystemNameTag, OrmPerfDiagnostics.DbSystemNamePostgreSql },
            { OrmPerfDiagnostics.DbCollectionNameTag, view },
        });

    /// <summary>Counts a refresh that ended with <paramref name="outcome"/> and tags its span.</summary>
    public static void Record(Activity? activity, string view, string outcome, TimeSpan? duration)
    {
        var tags = new TagList
        {
            { OrmPerfDiagnostics.DbSystemNameTag, OrmPerfDiagnostics.DbSystemNamePostgreSql },
            { OrmPerfDiagnostics.DbCollectionNameTag, view },
            { OrmPerfDiagnostics.OutcomeTag, outcome },
        };
        Refreshes.Add(1, tags);
        if (duration is { } elapsed)
        {
            RefreshDuration.Record(elapsed.TotalSeconds, tags);
        }

        activity?.SetTag(OrmPerfDiagnostics.DbCollectionNameTag, view);
        activity?.SetTag(OrmPerfDiagnostics.OutcomeTag, outcome);
    }

    /// <summary>Counts a failed refresh and marks its span failed with the exception's type, never its message.</summary>
    public static void RecordFailure(Activity? activity, string view, Exception error)
    {
        Record(activity, view, "failed", null);
        activity?.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
        activity?.SetTag(OrmPerfDiagnostics.ErrorTypeTag, error.GetType().FullName);
    }
}
