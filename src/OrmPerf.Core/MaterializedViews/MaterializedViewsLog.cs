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

    [LoggerMessage(305, LogLevel.Debug, "A write to a source of materialized view {View} was reported; refreshing within {Debounce}")]
    public static partial void MaterializedViewChangeReported(ILogger logger, string view, TimeSpan debounce);

    [LoggerMessage(306, LogLevel.Debug, "Materialized view {View} was already refreshed after the reported write; not refreshing again")]
    public static partial void MaterializedViewChangeAlreadyServed(ILogger logger, string view);

    [LoggerMessage(307, LogLevel.Warning, "Could not find the source tables of materialized view {View}; writes reported now do not refresh it early")]
    public static partial void MaterializedViewSourcesNotResolved(ILogger logger, Exception exception, string view);

    [LoggerMessage(308, LogLevel.Information, "Listening for table-change notifications on channel {Channel}")]
    public static partial void TableChangeNotificationsListening(ILogger logger, string channel);

    [LoggerMessage(309, LogLevel.Warning, "Listening for table-change notifications on channel {Channel} failed; listening again in {RetryIn}, then refreshing every view that refreshes on change")]
    public static partial void TableChangeNotificationsInterrupted(ILogger logger, Exception exception, string channel, TimeSpan retryIn);

    [LoggerMessage(310, LogLevel.Debug, "Skipped refresh of materialized view {View} for the tick at {Tick}: another instance claimed it")]
    public static partial void MaterializedViewTickClaimedElsewhere(ILogger logger, string view, DateTimeOffset tick);

    [LoggerMessage(311, LogLevel.Information, "Materialized view {View} is not populated (created WITH NO DATA); refreshing it before start-up completes")]
    public static partial void MaterializedViewPopulatingOnStart(ILogger logger, string view);

    [LoggerMessage(312, LogLevel.Warning, "Materialized view {View} could not be populated within {Timeout} at start-up; start-up goes on and its next tick refreshes it")]
    public static partial void MaterializedViewPopulateOnStartTimedOut(ILogger logger, string view, TimeSpan timeout);

    [LoggerMessage(313, LogLevel.Error, "Materialized view {View} could not be populated at start-up; start-up goes on and its next tick refreshes it")]
    public static partial void MaterializedViewPopulateOnStartFailed(ILogger logger, Exception exception, string view);
}
