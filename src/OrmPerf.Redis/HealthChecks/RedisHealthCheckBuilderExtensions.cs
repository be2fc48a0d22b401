using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrmPerf.Redis.Backplane;
using OrmPerf.Redis.Connections;
using OrmPerf.Redis.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds OrmPerf.Redis's health check: <c>services.AddHealthChecks().AddOrmPerfRedis()</c>.</summary>
public static class RedisHealthCheckBuilderExtensions
{
    /// <summary>
    /// Reports the Redis behind the query cache from its own state, with no probe of its own: healthy while connected
    /// with the circuit closed and the backplane subscribed; <paramref name="failureStatus"/> (default
    /// <see cref="HealthStatus.Degraded"/>, as the cache fails open) when Redis is not connected, the circuit breaker
    /// is open or the subscription is down. Healthy before the cache first used Redis.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default: <c>ormperf-redis</c>.</param>
    /// <param name="failureStatus">What a failure reports; <see langword="null"/> for <see cref="HealthStatus.Degraded"/>.</param>
    /// <param name="tags">Tags to filter the check by (e.g. <c>ready</c>).</param>
    /// <param name="serviceKey">The key of the cache whose Redis to report (<c>AddKeyedRedisCache</c>); <see langword="null"/> for <c>AddRedisCache</c>.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>Needs <c>AddRedisCache</c> (or <c>AddKeyedRedisCache</c> with <paramref name="serviceKey"/>); the check fails to resolve otherwise.</remarks>
    public static IHealthChecksBuilder AddOrmPerfRedis(
        this IHealthChecksBuilder builder, string name = "ormperf-redis", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new RedisHealthCheck(sp.GetRequiredKeyedService<RedisCalls>(serviceKey), sp.GetRequiredKeyedService<RedisQueryCacheBackplane>(serviceKey)),
            failureStatus ?? HealthStatus.Degraded,
            tags));
    }
}
