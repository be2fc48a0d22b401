using Microsoft.Extensions.Logging;

namespace OrmPerf.Diagnostics;

/// <summary>The batch writer's log messages (event ids 200-299).</summary>
internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Error, "Batch of {Rows} rows for table {Table} failed and was not written")]
    public static partial void BatchFailed(ILogger logger, Exception error, string table, int rows);

    [LoggerMessage(201, LogLevel.Warning, "PostgreSQL rejected a row for table {Table}: {SqlState} {Message}")]
    public static partial void RowRejected(ILogger logger, string table, string sqlState, string message);

    [LoggerMessage(202, LogLevel.Warning, "Retrying a batch for table {Table} in {Delay} (attempt {Attempt}) after a transient error")]
    public static partial void BatchRetrying(ILogger logger, Exception? error, string table, TimeSpan delay, int attempt);

    [LoggerMessage(203, LogLevel.Information, "Batch writer for table {Table} is draining {Queued} queued rows before shutdown")]
    public static partial void Draining(ILogger logger, string table, int queued);

    [LoggerMessage(204, LogLevel.Error, "The dead-letter sink of table {Table} threw; the rejected row is lost to it")]
    public static partial void SinkFailed(ILogger logger, Exception error, string table);

    [LoggerMessage(205, LogLevel.Error, "Table change listener {Listener} failed after a batch committed to table {Table}; the rows are written")]
    public static partial void ChangeListenerFailed(ILogger logger, Exception error, string listener, string table);

    [LoggerMessage(206, LogLevel.Warning, "A row for table {Table} could not be written and was set aside (import position {Index}): {Message}")]
    public static partial void RowUnwritable(ILogger logger, string table, long? index, string message);
}
