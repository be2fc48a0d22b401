using Microsoft.Extensions.Logging;

namespace OrmPerf.Diagnostics;

internal static partial class Log
{
    [LoggerMessage(300, LogLevel.Information, "Refreshed materialized view {View} ({Outcome}) in {DurationMs} ms, {Rows} rows")]
    public static partial void MaterializedViewRefreshed(ILogger logger, string view, string outcome, double durationMs, long rows);

    [LoggerMessage(301, LogLevel.Debug, "Skipped refresh of materialized view {View}: another instance is refreshing it")]
    public static partial void MaterializedViewRefreshSkipped(ILogger logger, string view);

    [LoggerMessage(302, LogLevel.Error, "Refresh of materialized view {View} failed; it will be retried at the next tick")]
    public static partial void MaterializedViewRefreshFailed(ILogger logger, Exception exception, string view);

    [LoggerMessage(303, LogLevel.Warning, "Could not order materialized views by their dependencies; refreshing in registration order")]
    public static partial void MaterializedViewOrderingFailed(ILogger logger, Exception exception);

    [LoggerMessage(304, LogLevel.Warning, "Could not record the failure of materialized view {View}'s refresh")]
    public static partial void MaterializedViewFailureNotRecorded(ILogger logger, Exception exception, string view);
}
