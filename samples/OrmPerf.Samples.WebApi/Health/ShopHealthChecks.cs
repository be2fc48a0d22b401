using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrmPerf.Samples.WebApi.Health;

/// <summary>
/// Health checks for <c>/health</c>: the primary (unhealthy when down: nothing works without it), the replicas and Redis
/// (degraded when down: reads then go to the primary and the cache to memory only, so the shop still works). The
/// PostgreSQL checks report the read router's own probes, so <c>/health</c> opens no database connection.
/// </summary>
internal static class ShopHealthChecks
{
    public static void AddShopHealthChecks(this IServiceCollection services, bool redis)
    {
        var checks = services.AddHealthChecks()
            .AddOrmPerfPrimary(tags: ["db"])
            .AddOrmPerfReplicas(tags: ["db"]);
        if (redis)
        {
            // OrmPerf.Redis's own check: its connection and circuit state, no probe (it registers no IConnectionMultiplexer).
            checks.AddOrmPerfRedis(name: "redis", failureStatus: HealthStatus.Degraded, tags: ["cache"]);
        }
    }
}
