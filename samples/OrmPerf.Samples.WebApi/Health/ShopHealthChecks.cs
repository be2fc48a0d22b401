using HealthChecks.NpgSql;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace OrmPerf.Samples.WebApi.Health;

/// <summary>
/// Health checks for <c>/health</c>: the primary (unhealthy when down: nothing works without it), each replica and
/// Redis (degraded when down: reads then go to the primary and the cache to memory only, so the shop still works).
/// </summary>
internal static class ShopHealthChecks
{
    public static void AddShopHealthChecks(this IServiceCollection services, IReadOnlyList<string> replicas, bool redis)
    {
        var checks = services.AddHealthChecks()
            .AddNpgSql(sp => sp.GetRequiredService<NpgsqlDataSource>(), name: "postgresql-primary", tags: ["db"]);
        for (var i = 0; i < replicas.Count; i++)
        {
            checks.AddNpgSql(
                new NpgSqlHealthCheckOptions(replicas[i])
                {
                    // A replica that answers but was promoted (or is a stand-alone server) is not a replica any more.
                    CommandText = "SELECT pg_is_in_recovery()",
                    HealthCheckResultBuilder = inRecovery => inRecovery is true
                        ? HealthCheckResult.Healthy()
                        : HealthCheckResult.Degraded("The server answers but is not in recovery: it is not a streaming replica."),
                },
                name: $"postgresql-replica-{i + 1}",
                failureStatus: HealthStatus.Degraded,
                tags: ["db"]);
        }

        if (redis)
        {
            // OrmPerf.Redis's own check: its connection and circuit state, no probe (it registers no IConnectionMultiplexer).
            checks.AddOrmPerfRedis(name: "redis", failureStatus: HealthStatus.Degraded, tags: ["cache"]);
        }
    }
}
