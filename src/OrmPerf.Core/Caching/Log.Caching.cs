using Microsoft.Extensions.Logging;

namespace OrmPerf.Diagnostics;

/// <summary>The query cache's log messages (event ids 100-199).</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Warning, "Query cache serves the expired result of {Key} (stale until {StaleUntil:O}) because refreshing it failed")]
    public static partial void StaleResultServed(ILogger logger, string key, DateTimeOffset staleUntil, Exception exception);

    [LoggerMessage(101, LogLevel.Warning, "Query cache could not {Operation} {Key} in the second-level store; the in-memory cache goes on alone")]
    public static partial void SecondLevelFailed(ILogger logger, string operation, string key, Exception exception);

    [LoggerMessage(102, LogLevel.Warning, "Query cache invalidates without a WAL position: the primary's position could not be read, so fills of these tags may read a lagging replica until it catches up")]
    public static partial void InvalidationWithoutPosition(ILogger logger, Exception exception);
}
