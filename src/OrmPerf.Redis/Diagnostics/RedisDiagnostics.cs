using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrmPerf.Redis.Diagnostics;

/// <summary>
/// Names under which OrmPerf.Redis publishes metrics and traces, for OpenTelemetry's <c>AddMeter</c> and
/// <c>AddSource</c> (<c>AddMeter("OrmPerf*")</c> collects the whole family): the meter, the activity source, every
/// instrument, span and tag name.
/// </summary>
/// <remarks>Thread-safe: the instruments are static and lock-free.</remarks>
public static class RedisDiagnostics
{
    /// <summary>The name of OrmPerf.Redis's <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = "OrmPerf.Redis";

    /// <summary>The name of OrmPerf.Redis's <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string ActivitySourceName = "OrmPerf.Redis";

    /// <summary>Counter of reads that found an entry in Redis.</summary>
    public const string Hits = "ormperf.redis.hits";

    /// <summary>Counter of reads that found no entry in Redis.</summary>
    public const string Misses = "ormperf.redis.misses";

    /// <summary>Counter of Redis calls that failed, timed out or were refused by the open circuit (tag <see cref="OperationTag"/>).</summary>
    public const string Errors = "ormperf.redis.errors";

    /// <summary>Counter of entries not stored in Redis because their payload exceeded <see cref="RedisCacheOptions.MaxPayloadBytes"/>.</summary>
    public const string OversizeSkips = "ormperf.redis.oversize_skips";

    /// <summary>Counter of backplane messages published.</summary>
    public const string MessagesSent = "ormperf.redis.backplane.sent";

    /// <summary>Counter of backplane messages received from other nodes and applied.</summary>
    public const string MessagesReceived = "ormperf.redis.backplane.received";

    /// <summary>Counter of circuit-breaker transitions (tag <see cref="CircuitStateTag"/>).</summary>
    public const string CircuitTransitions = "ormperf.redis.circuit.transitions";

    /// <summary>The span around a second-level read (the entry, with its tags' invalidation times).</summary>
    public const string GetSpan = "ormperf.redis.get";

    /// <summary>The span around a second-level write.</summary>
    public const string SetSpan = "ormperf.redis.set";

    /// <summary>
    /// The tag on every instrument naming the <see cref="RedisCacheOptions.KeyPrefix"/> of the cache that recorded it,
    /// which tells apart applications (or tests) sharing one process or one Redis; also on the spans.
    /// </summary>
    public const string KeyPrefixTag = "ormperf.redis.key_prefix";

    /// <summary>The tag naming the Redis call of an <see cref="Errors"/> measurement: <c>get</c>, <c>set</c>, <c>remove</c>, <c>lease</c>, <c>tags</c>, <c>publish</c>.</summary>
    public const string OperationTag = "ormperf.redis.operation";

    /// <summary>The tag of a <see cref="CircuitTransitions"/> measurement: <c>open</c>, <c>half_open</c>, <c>closed</c>.</summary>
    public const string CircuitStateTag = "ormperf.redis.circuit.state";

    /// <summary>The OpenTelemetry database-system tag on the spans; its value is <see cref="DbSystemName"/>.</summary>
    public const string DbSystemNameTag = "db.system.name";

    /// <summary>The value of <see cref="DbSystemNameTag"/>.</summary>
    public const string DbSystemName = "redis";

    /// <summary>The OpenTelemetry tag of a failed span: the exception's full type name.</summary>
    public const string ErrorTypeTag = "error.type";

    private static readonly string? Version = typeof(RedisDiagnostics).Assembly.GetName().Version?.ToString();

    internal static readonly Meter Meter = new(MeterName, Version);

    internal static readonly ActivitySource ActivitySource = new(ActivitySourceName, Version);

    internal static readonly Counter<long> HitCounter = Meter.CreateCounter<long>(Hits, "{read}", "Reads that found an entry in Redis.");

    internal static readonly Counter<long> MissCounter = Meter.CreateCounter<long>(Misses, "{read}", "Reads that found no entry in Redis.");

    internal static readonly Counter<long> ErrorCounter = Meter.CreateCounter<long>(Errors, "{call}", "Redis calls that failed, timed out or were refused by the open circuit.");

    internal static readonly Counter<long> OversizeCounter = Meter.CreateCounter<long>(OversizeSkips, "{entry}", "Entries too large to store in Redis.");

    internal static readonly Counter<long> SentCounter = Meter.CreateCounter<long>(MessagesSent, "{message}", "Backplane messages published.");

    internal static readonly Counter<long> ReceivedCounter = Meter.CreateCounter<long>(MessagesReceived, "{message}", "Backplane messages received from other nodes.");

    internal static readonly Counter<long> CircuitCounter = Meter.CreateCounter<long>(CircuitTransitions, "{transition}", "Circuit-breaker transitions of the Redis calls.");

    /// <summary>Starts <paramref name="name"/> with the database tags, or returns <see langword="null"/> when nobody listens.</summary>
    internal static Activity? StartSpan(string name, KeyValuePair<string, object?> prefixTag)
    {
        var activity = ActivitySource.StartActivity(name, ActivityKind.Client);
        activity?.SetTag(DbSystemNameTag, DbSystemName).SetTag(prefixTag.Key, prefixTag.Value);
        return activity;
    }

    /// <summary>Marks <paramref name="activity"/> failed with the exception's type name (never its message).</summary>
    internal static void Fail(Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name).SetTag(ErrorTypeTag, exception.GetType().FullName);
    }
}
