using Microsoft.Extensions.Logging;

namespace OrmPerf.Routing.Diagnostics;

/// <summary>Every log message of OrmPerf.Routing, with its <see cref="RoutingEventId"/>, in one place.</summary>
internal static partial class Log
{
    [LoggerMessage(RoutingEventId.RouterStarted, LogLevel.Information, "Read routing over {ReplicaCount} replica(s): balancing {Balancing}, max lag {MaxLag}, read-your-writes {ReadYourWrites}")]
    public static partial void RouterStarted(ILogger logger, int replicaCount, ReplicaBalancing balancing, TimeSpan maxLag, ReadYourWritesMode readYourWrites);

    [LoggerMessage(RoutingEventId.ReplicaFailed, LogLevel.Warning, "Replica '{Replica}' failed to serve a read and is marked down; retrying on the next candidate")]
    public static partial void ReplicaFailed(ILogger logger, string replica, Exception exception);

    [LoggerMessage(RoutingEventId.ReplicaUnreachable, LogLevel.Warning, "Replica '{Replica}' is unreachable: {Error}")]
    public static partial void ProbeFailed(ILogger logger, string replica, string error);

    [LoggerMessage(RoutingEventId.ReplicaRecovered, LogLevel.Information, "Replica '{Replica}' answers again and takes reads")]
    public static partial void ReplicaRecovered(ILogger logger, string replica);

    [LoggerMessage(RoutingEventId.ReplicaNotInRecovery, LogLevel.Warning, "Replica '{Replica}' is not in recovery while the primary answers on another server (a split brain, or not a standby); it is excluded from reads")]
    public static partial void NotInRecovery(ILogger logger, string replica);

    [LoggerMessage(RoutingEventId.PrimaryProbeFailed, LogLevel.Warning, "The primary's WAL position could not be read; replica lag is estimated from replay timestamps: {Error}")]
    public static partial void PrimaryProbeFailed(ILogger logger, string error);

    [LoggerMessage(RoutingEventId.ProbeRoundFailed, LogLevel.Error, "A round of replica health probes failed unexpectedly")]
    public static partial void ProbeRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(RoutingEventId.ReplicaPromoted, LogLevel.Warning, "Replica '{Replica}' was promoted and {Why}; it serves reads at its own position")]
    public static partial void Promoted(ILogger logger, string replica, string why);

    [LoggerMessage(RoutingEventId.ChangeListenerFailed, LogLevel.Error, "Table change listener {Listener} failed after a committed write to {Tables}; the write stands")]
    public static partial void ChangeListenerFailed(ILogger logger, Exception exception, string listener, string tables);
}
