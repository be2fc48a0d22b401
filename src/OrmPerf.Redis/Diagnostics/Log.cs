using Microsoft.Extensions.Logging;

namespace OrmPerf.Redis.Diagnostics;

/// <summary>Every log message of OrmPerf.Redis, one section per feature; the event ids are <see cref="RedisEventId"/>.</summary>
internal static partial class Log
{
    // Connections
    [LoggerMessage(RedisEventId.CallFailed, LogLevel.Debug, "Redis {Operation} failed; treated as a miss or skipped")]
    public static partial void CallFailed(ILogger logger, string operation, Exception exception);

    [LoggerMessage(RedisEventId.CircuitOpened, LogLevel.Warning, "Redis circuit opened for {BreakDuration}: Redis calls are skipped (the cache goes on in memory)")]
    public static partial void CircuitOpened(ILogger logger, TimeSpan breakDuration, Exception? exception);

    [LoggerMessage(RedisEventId.CircuitClosed, LogLevel.Information, "Redis circuit closed: the second level and the backplane are back")]
    public static partial void CircuitClosed(ILogger logger);

    // Second level
    [LoggerMessage(RedisEventId.PayloadTooLarge, LogLevel.Warning, "Query-cache entry {Key} is not stored in Redis: its payload of {Size} bytes exceeds the limit of {Limit} bytes")]
    public static partial void PayloadTooLarge(ILogger logger, string key, int size, int limit);

    // Backplane
    [LoggerMessage(RedisEventId.MalformedMessage, LogLevel.Warning, "Ignored a malformed message on the Redis backplane channel {Channel}")]
    public static partial void MalformedMessage(ILogger logger, string channel, Exception exception);

    [LoggerMessage(RedisEventId.SubscribeFailed, LogLevel.Warning, "Could not subscribe to the Redis backplane channel {Channel}; other nodes' invalidations are not received until Redis reconnects")]
    public static partial void SubscribeFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(RedisEventId.BackplaneReconnected, LogLevel.Information, "Redis backplane channel {Channel} reconnected: the in-memory query cache is emptied, as messages may have been missed")]
    public static partial void BackplaneReconnected(ILogger logger, string channel);
}
