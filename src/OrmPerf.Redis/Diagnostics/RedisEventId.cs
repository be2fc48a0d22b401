using Microsoft.Extensions.Logging;

namespace OrmPerf.Redis.Diagnostics;

/// <summary>
/// The <see cref="EventId"/> of every message OrmPerf.Redis logs, for filtering and alerting. Ids are stable across
/// versions, in OrmPerf.Redis's range 2000-2999; each feature owns a block of one hundred: connections (calls and the
/// circuit breaker) 2000, second level 2100, backplane 2200.
/// </summary>
public static class RedisEventId
{
    /// <summary>Connections: a Redis call failed, timed out or was refused by the open circuit (a miss or a skipped write).</summary>
    public const int CallFailed = 2000;

    /// <summary>Connections: the circuit opened; Redis calls are skipped for the break duration.</summary>
    public const int CircuitOpened = 2001;

    /// <summary>Connections: the circuit closed; the second level and the backplane are back.</summary>
    public const int CircuitClosed = 2002;

    /// <summary>Second level: an entry was not stored, its payload exceeding the limit.</summary>
    public const int PayloadTooLarge = 2100;

    /// <summary>Backplane: a malformed message was ignored.</summary>
    public const int MalformedMessage = 2200;

    /// <summary>Backplane: subscribing to the channel failed.</summary>
    public const int SubscribeFailed = 2201;

    /// <summary>Backplane: the subscription reconnected and the in-memory cache was emptied.</summary>
    public const int BackplaneReconnected = 2202;
}
