using StackExchange.Redis;

namespace OrmPerf.Redis;

/// <summary>
/// Settings of the Redis second level and backplane, validated when the host starts; named after the cache's key for
/// <c>AddKeyedRedisCache</c>, and bindable from configuration (all but <see cref="ConnectionMultiplexerFactory"/>).
/// </summary>
/// <remarks>Configure before the services are built; not meant to be changed afterwards (not thread-safe).</remarks>
public sealed class RedisCacheOptions
{
    /// <summary>
    /// The StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>. Required unless
    /// <see cref="ConnectionMultiplexerFactory"/> is set.
    /// </summary>
    public string Configuration { get; set; } = "";

    /// <summary>
    /// Gives OrmPerf.Redis a multiplexer of yours instead of one it creates from <see cref="Configuration"/>: called
    /// once, on first use; OrmPerf does not dispose it. Create it with <c>AbortOnConnectFail=false</c> so a Redis that is
    /// down does not fail the cache. Default: <see langword="null"/> (OrmPerf creates and owns its own).
    /// </summary>
    public Func<IConnectionMultiplexer>? ConnectionMultiplexerFactory { get; set; }

    /// <summary>
    /// Prepended to every key and to the backplane channel, so several applications can share one Redis.
    /// Default: <c>ormperf:</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = "ormperf:";

    /// <summary>Entries whose payload is larger are not stored in Redis (logged and counted). Default: 1 MiB.</summary>
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>How long one Redis call may take before it counts as failed (a miss, or a skipped write). Default: 50 ms.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long a tag invalidation is remembered in Redis, so a node that missed the backplane message (or started
    /// later) does not read an older entry from Redis; entries are kept in Redis for at most this long. Default: one day.
    /// </summary>
    public TimeSpan TagRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long the circuit breaker stops calling Redis once it opened, before probing it again. Default: 5 s.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// While the backplane's subscription is down, entries stored in the in-memory cache stay fresh for at most this
    /// long (their fail-safe window moves with it), since other nodes' invalidations cannot reach this node meanwhile.
    /// Entries stored before the disconnection keep their lifetime; the in-memory cache is emptied when the subscription
    /// comes back. Default: 5 s.
    /// </summary>
    public TimeSpan DisconnectedL1Duration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// When set, a node that misses an entry in Redis takes a lease on computing it (<c>SET NX PX</c>) before running the
    /// query; other nodes missing it meanwhile poll Redis for its result instead of running the query too, for at most
    /// this long. Make it longer than the slow queries it should cover. Default: <see langword="null"/> (no leases).
    /// </summary>
    public TimeSpan? LeaseDuration { get; set; }

    /// <summary>
    /// The circuit opens when, within the last <see cref="FailureSamplingDuration"/>, at least this many calls were made
    /// and at least half of them failed. Default: 10.
    /// </summary>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>
    /// The window over which failures are counted. Short, so that on a busy node a Redis that freezes opens the circuit
    /// within about this window plus <see cref="OperationTimeout"/> (the healthy calls made before the stall leave the
    /// window that fast), instead of every read paying the timeout until the failures outweigh seconds of successes.
    /// A node making fewer than <see cref="MinimumThroughput"/> calls per window never opens it: each of its calls pays
    /// at most <see cref="OperationTimeout"/>. Between 500 ms and a day (Polly's range). Default: 500 ms.
    /// </summary>
    public TimeSpan FailureSamplingDuration { get; set; } = TimeSpan.FromMilliseconds(500);
}
