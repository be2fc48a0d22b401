using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrmPerf.Routing.HealthChecks;

/// <summary>
/// The read replicas as the router sees them: healthy when every replica serves reads; degraded when some do not, or
/// none does while reads fall back to the primary; the registration's failure status (unhealthy by default) when none
/// does and <see cref="ReadReplicaOptions.WhenNoReplicaQualifies"/> makes reads fail. The data holds each replica's
/// state (<see cref="ReplicaState"/>), lag and replay position. Opens nothing: it reads the server set's state. Thread-safe.
/// </summary>
internal sealed class ReplicasHealthCheck(ServerSet servers) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var replicas = servers.Replicas;
        if (replicas.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No read replicas are configured; reads go to the primary."));
        }

        var data = new Dictionary<string, object>(replicas.Count);
        var notServing = new List<string>();
        var unprobed = 0;
        foreach (var replica in replicas)
        {
            var state = ReplicaState.Of(replica, servers.Options);
            data[replica.Name] = ReplicaState.Describe(replica, state);
            if (state != ReplicaState.Up)
            {
                notServing.Add($"{replica.Name} {state}");
                unprobed += state == ReplicaState.Unprobed ? 1 : 0;
            }
        }

        var serving = replicas.Count - notServing.Count;
        var summary = string.Create(CultureInfo.InvariantCulture, $"{serving} of {replicas.Count} read replicas serve reads");
        if (notServing.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy(summary + ".", data));
        }

        // A replica not probed yet still takes reads (the router tries it), so only probed failures make reads fail.
        var status = serving == 0 && unprobed == 0 && servers.Options.WhenNoReplicaQualifies == NoReplicaFallback.Fail
            ? context.Registration.FailureStatus
            : HealthStatus.Degraded;
        var consequence = serving > 0 || unprobed > 0 ? ""
            : status == HealthStatus.Degraded ? "; reads go to the primary"
            : "; reads fail (WhenNoReplicaQualifies is Fail)";
        return Task.FromResult(new HealthCheckResult(status, $"{summary} ({string.Join(", ", notServing)}){consequence}.", data: data));
    }
}
