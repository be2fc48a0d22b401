using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrmPerf.Redis.Backplane;
using OrmPerf.Redis.Connections;
using Polly.CircuitBreaker;

namespace OrmPerf.Redis.HealthChecks;

/// <summary>
/// Reports OrmPerf.Redis from the state it already keeps, with no round trip of its own: the multiplexer's connection,
/// the backplane's subscription and the circuit breaker. The cache fails open, so Redis down or the circuit open is
/// <see cref="HealthStatus.Degraded"/> by default (reads go on in memory and against the database), never an outage of
/// the application. Thread-safe.
/// </summary>
internal sealed class RedisHealthCheck(RedisCalls calls, RedisQueryCacheBackplane backplane) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["circuit"] = calls.CircuitState.ToString(),
        };

        if (!calls.Connection.IsCreated)
        {
            // Nothing used Redis yet (the cache connects when the host starts or on its first read): nothing is wrong.
            return Task.FromResult(HealthCheckResult.Healthy("Redis is not connected yet: the query cache has not used it.", data));
        }

        var multiplexer = calls.Multiplexer;
        data["connected"] = multiplexer.IsConnected;
        if (backplane.IsSubscribed is { } subscribed)
        {
            data["subscribed"] = subscribed;
        }

        var failure = !multiplexer.IsConnected ? "Redis is not connected"
            : calls.CircuitState is CircuitState.Open or CircuitState.Isolated ? "the Redis circuit is open (calls fail or time out)"
            : backplane.IsSubscribed is false ? "the Redis backplane's subscription is down"
            : null;
        return Task.FromResult(failure is null
            ? HealthCheckResult.Healthy("Redis is connected and its circuit is closed.", data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"{failure}: the query cache goes on in memory and against the database.", data: data));
    }
}
