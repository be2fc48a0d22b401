using System.Diagnostics.Metrics;

namespace OrmPerf.Redis;

/// <summary>The names of the Redis second level's and backplane's instruments, on their own meter.</summary>
/// <remarks>Thread-safe: the instruments are static and lock-free.</remarks>
public static class RedisCacheDiagnostics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "OrmPerf.Redis";

    /// <summary>
    /// The tag on every instrument naming the <see cref="RedisCacheOptions.KeyPrefix"/> of the cache that recorded it,
    /// which tells apart applications (or tests) sharing one process or one Redis.
    /// </summary>
    public const string KeyPrefixTag = "ormperf.redis.key_prefix";

    /// <summary>Counter of reads that found an entry in Redis.</summary>
    public const string Hits = "ormperf.redis.hits";

    /// <summary>Counter of reads that found no entry in Redis.</summary>
    public const string Misses = "ormperf.redis.misses";

    /// <summary>Counter of Redis calls that failed, timed out or were refused by the open circuit (tag <c>ormperf.redis.operation</c>).</summary>
    public const string Errors = "ormperf.redis.errors";

    /// <summary>Counter of entries not stored in Redis because their payload exceeded <see cref="RedisCacheOptions.MaxPayloadBytes"/>.</summary>
    public const string OversizeSkips = "ormperf.redis.oversize_skips";

    /// <summary>Counter of backplane messages published.</summary>
    public const string MessagesSent = "ormperf.redis.backplane.sent";

    /// <summary>Counter of backplane messages received from other nodes and applied.</summary>
    public const string MessagesReceived = "ormperf.redis.backplane.received";

    /// <summary>Counter of circuit-breaker transitions (tag <c>ormperf.redis.circuit.state</c>: <c>open</c>, <c>half_open</c>, <c>closed</c>).</summary>
    public const string CircuitTransitions = "ormperf.redis.circuit.transitions";

    internal static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> HitCounter = Meter.CreateCounter<long>(Hits, "{read}", "Reads that found an entry in Redis.");

    internal static readonly Counter<long> MissCounter = Meter.CreateCounter<long>(Misses, "{read}", "Reads that found no entry in Redis.");

    internal static readonly Counter<long> ErrorCounter = Meter.CreateCounter<long>(Errors, "{call}", "Redis calls that failed, timed out or were refused by the open circuit.");

    internal static readonly Counter<long> OversizeCounter = Meter.CreateCounter<long>(OversizeSkips, "{entry}", "Entries too large to store in Redis.");

    internal static readonly Counter<long> SentCounter = Meter.CreateCounter<long>(MessagesSent, "{message}", "Backplane messages published.");

    internal static readonly Counter<long> ReceivedCounter = Meter.CreateCounter<long>(MessagesReceived, "{message}", "Backplane messages received from other nodes.");

    internal static readonly Counter<long> CircuitCounter = Meter.CreateCounter<long>(CircuitTransitions, "{transition}", "Circuit-breaker transitions of the Redis calls.");
}
