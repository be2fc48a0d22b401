using Microsoft.Extensions.Logging;

namespace OrmPerf.Diagnostics;

/// <summary>The query cache's log messages (event ids 100-199).</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Warning, "Query cache serves the expired result of {Key} (stale until {StaleUntil:O}) because refreshing it failed")]
    public static partial void StaleResultServed(ILogger logger, string key, DateTimeOffset staleUntil, Exception exception);
}
