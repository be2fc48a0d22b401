using Microsoft.Extensions.Logging;
using OrmPerf.Connections;

namespace OrmPerf.Diagnostics;

/// <summary>Every log message of OrmPerf.Core, one section per feature; the event ids are <see cref="OrmPerfEventId"/>.</summary>
internal static partial class Log
{
    // Connections
    [LoggerMessage(OrmPerfEventId.DataSourceCreated, LogLevel.Information, "OrmPerf data source '{Name}' for {Endpoints}/{Database} uses pool profile {Profile}")]
    public static partial void DataSourceCreated(ILogger logger, string name, string endpoints, string? database, PoolProfile profile);

    // Caching
    [LoggerMessage(OrmPerfEventId.StaleResultServed, LogLevel.Warning, "Query cache serves the expired result of {Key} (stale until {StaleUntil:O}) because refreshing it failed")]
    public static partial void StaleResultServed(ILogger logger, string key, DateTimeOffset staleUntil, Exception exception);

    [LoggerMessage(OrmPerfEventId.SecondLevelFailed, LogLevel.Warning, "Query cache could not {Operation} {Key} in the second-level store; the in-memory cache goes on alone")]
    public static partial void SecondLevelFailed(ILogger logger, string operation, string key, Exception exception);

    [LoggerMessage(OrmPerfEventId.InvalidationWithoutPosition, LogLevel.Warning, "Query cache invalidates without a WAL position: the primary's position could not be read, so fills of these tags may read a lagging replica until it catches up")]
    public static partial void InvalidationWithoutPosition(ILogger logger, Exception exception);

    // Batching
    [LoggerMessage(OrmPerfEventId.BatchFailed, LogLevel.Error, "Batch of {Rows} rows for table {Table} failed and was not written")]
    public static partial void BatchFailed(ILogger logger, Exception error, string table, int rows);

    [LoggerMessage(OrmPerfEventId.RowRejected, LogLevel.Warning, "PostgreSQL rejected a row for table {Table}: {SqlState} {Message}")]
    public static partial void RowRejected(ILogger logger, string table, string sqlState, string message);

    [LoggerMessage(OrmPerfEventId.BatchRetrying, LogLevel.Warning, "Retrying a batch for table {Table} in {Delay} (attempt {Attempt}) after a transient error")]
    public static partial void BatchRetrying(ILogger logger, Exception? error, string table, TimeSpan delay, int attempt);

    [LoggerMessage(OrmPerfEventId.Draining, LogLevel.Information, "Batch writer for table {Table} is draining {Queued} queued rows before shutdown")]
    public static partial void Draining(ILogger logger, string table, int queued);

    [LoggerMessage(OrmPerfEventId.SinkFailed, LogLevel.Error, "The dead-letter sink of table {Table} threw; the rejected row is lost to it")]
    public static partial void SinkFailed(ILogger logger, Exception error, string table);

    [LoggerMessage(OrmPerfEventId.ChangeListenerFailed, LogLevel.Error, "Table change listener {Listener} failed after a batch committed to table {Table}; the rows are written")]
    public static partial void ChangeListenerFailed(ILogger logger, Exception error, string listener, string table);

    [LoggerMessage(OrmPerfEventId.RowUnwritable, LogLevel.Warning, "A row for table {Table} could not be written and was set aside (import position {Index}): {Message}")]
    public static partial void RowUnwritable(ILogger logger, string table, long? index, string message);

    [LoggerMessage(OrmPerfEventId.ShutdownTimedOut, LogLevel.Warning, "Batch writer for table {Table} did not drain within {Timeout} at shutdown; retries are abandoned and {Queued} queued rows fault")]
    public static partial void ShutdownTimedOut(ILogger logger, string table, TimeSpan timeout, int queued);

    // MaterializedViews
    [LoggerMessage(OrmPerfEventId.MaterializedViewRefreshed, LogLevel.Information, "Refreshed materialized view {View} ({Outcome}) in {DurationMs} ms, {Rows} rows")]
    public static partial void MaterializedViewRefreshed(ILogger logger, string view, string outcome, double durationMs, long rows);

    [LoggerMessage(OrmPerfEventId.MaterializedViewRefreshSkipped, LogLevel.Debug, "Skipped refresh of materialized view {View}: another instance is refreshing it")]
    public static partial void MaterializedViewRefreshSkipped(ILogger logger, string view);

    [LoggerMessage(OrmPerfEventId.MaterializedViewRefreshFailed, LogLevel.Error, "Refresh of materialized view {View} failed; it will be retried at the next tick")]
    public static partial void MaterializedViewRefreshFailed(ILogger logger, Exception exception, string view);

    [LoggerMessage(OrmPerfEventId.MaterializedViewOrderingFailed, LogLevel.Warning, "Could not order materialized views by their dependencies; refreshing in registration order")]
    public static partial void MaterializedViewOrderingFailed(ILogger logger, Exception exception);

    [LoggerMessage(OrmPerfEventId.MaterializedViewFailureNotRecorded, LogLevel.Warning, "Could not record the failure of materialized view {View}'s refresh")]
    public static partial void MaterializedViewFailureNotRecorded(ILogger logger, Exception exception, string view);

    [LoggerMessage(OrmPerfEventId.MaterializedViewChangeReported, LogLevel.Debug, "A write to a source of materialized view {View} was reported; refreshing within {Debounce}")]
    public static partial void MaterializedViewChangeReported(ILogger logger, string view, TimeSpan debounce);

    [LoggerMessage(OrmPerfEventId.MaterializedViewChangeAlreadyServed, LogLevel.Debug, "Materialized view {View} was already refreshed after the reported write; not refreshing again")]
    public static partial void MaterializedViewChangeAlreadyServed(ILogger logger, string view);

    [LoggerMessage(OrmPerfEventId.MaterializedViewSourcesNotResolved, LogLevel.Warning, "Could not find the source tables of materialized view {View}; writes reported now do not refresh it early")]
    public static partial void MaterializedViewSourcesNotResolved(ILogger logger, Exception exception, string view);

    [LoggerMessage(OrmPerfEventId.TableChangeNotificationsListening, LogLevel.Information, "Listening for table-change notifications on channel {Channel}")]
    public static partial void TableChangeNotificationsListening(ILogger logger, string channel);

    [LoggerMessage(OrmPerfEventId.TableChangeNotificationsInterrupted, LogLevel.Warning, "Listening for table-change notifications on channel {Channel} failed; listening again in {RetryIn}, then refreshing every view that refreshes on change")]
    public static partial void TableChangeNotificationsInterrupted(ILogger logger, Exception exception, string channel, TimeSpan retryIn);

    [LoggerMessage(OrmPerfEventId.MaterializedViewTickClaimedElsewhere, LogLevel.Debug, "Skipped refresh of materialized view {View} for the tick at {Tick}: another instance claimed it")]
    public static partial void MaterializedViewTickClaimedElsewhere(ILogger logger, string view, DateTimeOffset tick);

    [LoggerMessage(OrmPerfEventId.MaterializedViewPopulatingOnStart, LogLevel.Information, "Materialized view {View} is not populated (created WITH NO DATA); refreshing it before start-up completes")]
    public static partial void MaterializedViewPopulatingOnStart(ILogger logger, string view);

    [LoggerMessage(OrmPerfEventId.MaterializedViewPopulateOnStartTimedOut, LogLevel.Warning, "Materialized view {View} could not be populated within {Timeout} at start-up; start-up goes on and its next tick refreshes it")]
    public static partial void MaterializedViewPopulateOnStartTimedOut(ILogger logger, string view, TimeSpan timeout);

    [LoggerMessage(OrmPerfEventId.MaterializedViewPopulateOnStartFailed, LogLevel.Error, "Materialized view {View} could not be populated at start-up; start-up goes on and its next tick refreshes it")]
    public static partial void MaterializedViewPopulateOnStartFailed(ILogger logger, Exception exception, string view);

    // Indexes
    [LoggerMessage(OrmPerfEventId.IndexReportBuilt, LogLevel.Information, "Index report: {Unused} unused, {Redundant} redundant, {Invalid} invalid indexes, {SeqHeavy} sequential-scan-heavy tables; statistics {StatisticsAge} old")]
    public static partial void IndexReportBuilt(ILogger logger, int unused, int redundant, int invalid, int seqHeavy, TimeSpan statisticsAge);

    [LoggerMessage(OrmPerfEventId.CoveringIndexCreated, LogLevel.Information, "Created covering index {Index} on {Table}; the query's plan uses an index-only scan on it: {IndexOnly}")]
    public static partial void CoveringIndexCreated(ILogger logger, string index, string table, bool indexOnly);
}
