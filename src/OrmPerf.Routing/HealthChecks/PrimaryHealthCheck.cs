using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrmPerf.Routing.HealthChecks;

/// <summary>
/// The primary as the router's health monitor last probed it: healthy when it answered, unhealthy when it did not
/// (writes fail, and so do reads that must see the latest data). Opens nothing: it reads the server set's state.
/// Thread-safe.
/// </summary>
internal sealed class PrimaryHealthCheck(ServerSet servers) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (servers.PrimaryHealth is not { } primary)
        {
            return Task.FromResult(HealthCheckResult.Degraded("The router has not probed the primary yet."));
        }

        var data = new Dictionary<string, object>
        {
            ["probedAt"] = primary.ProbedAt,
        };
        if (primary.Server is { } server)
        {
            data["server"] = server;
        }

        if (primary.Position is { } position)
        {
            data["walPosition"] = position.ToString();
        }

        if (primary.ErrorType is { } error)
        {
            data["error"] = error;
            return Task.FromResult(new HealthCheckResult(
                context.Registration.FailureStatus,
                string.Create(CultureInfo.InvariantCulture, $"The primary did not answer the router's probe at {primary.ProbedAt:O} ({error})."),
                data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy("The primary answered the router's last probe.", data));
    }
}
