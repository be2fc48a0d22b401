using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrmPerf.Routing;
using OrmPerf.Routing.HealthChecks;
using OrmPerf.Routing.Probing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Health checks of the primary and its read replicas that report the read router's own state, the results of its
/// health monitor's last probes: a check opens no connection and adds no round trip. They need <c>AddReadReplicas</c>
/// on the same primary (with no replicas, to probe the primary only).
/// </summary>
public static class RoutingHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check of the primary: healthy when it answered the router's last probe, <paramref name="failureStatus"/>
    /// (unhealthy by default) when it did not, degraded before the first probe. The data holds the probe time, the
    /// server's <c>address:port</c> and WAL position, or the error's type. Registering it makes the router probe the
    /// primary every <see cref="ReadReplicaOptions.ProbeInterval"/> even without replicas.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="serviceKey">The primary's key from <c>AddKeyedOrmPerf</c>; <see langword="null"/> (the default) for <c>AddOrmPerf</c>'s.</param>
    /// <param name="name">The check's name; default <c>ormperf-primary</c>, or <c>ormperf-primary-{serviceKey}</c> for a keyed primary.</param>
    /// <param name="failureStatus">The status when the primary did not answer; default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (e.g. <c>ready</c>).</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IHealthChecksBuilder AddOrmPerfPrimary(this IHealthChecksBuilder builder, object? serviceKey = null, string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddKeyedSingleton<PrimaryWatch>(serviceKey);
        return builder.Add(new HealthCheckRegistration(
            name ?? NameOf("ormperf-primary", serviceKey),
            sp => new PrimaryHealthCheck(Servers(sp, serviceKey, nameof(AddOrmPerfPrimary))),
            failureStatus,
            tags));
    }

    /// <summary>
    /// Adds a check of the read replicas: healthy when every replica serves reads; degraded when one is down, lagging,
    /// excluded (not a standby) or not probed yet, and when none serves reads while they fall back to the primary;
    /// <paramref name="failureStatus"/> (unhealthy by default) when none serves reads and
    /// <see cref="ReadReplicaOptions.WhenNoReplicaQualifies"/> is <see cref="NoReplicaFallback.Fail"/>. The data holds,
    /// per replica name, its <c>state</c> (<c>up</c>, <c>lagging</c>, <c>down</c>, <c>excluded</c>, <c>unprobed</c>),
    /// <c>lagSeconds</c>, <c>lagBytes</c> and <c>replayPosition</c> when known.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="serviceKey">The primary's key from <c>AddKeyedOrmPerf</c>; <see langword="null"/> (the default) for <c>AddOrmPerf</c>'s.</param>
    /// <param name="name">The check's name; default <c>ormperf-replicas</c>, or <c>ormperf-replicas-{serviceKey}</c> for a keyed primary.</param>
    /// <param name="failureStatus">The status when reads fail for want of a replica; default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (e.g. <c>ready</c>).</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IHealthChecksBuilder AddOrmPerfReplicas(this IHealthChecksBuilder builder, object? serviceKey = null, string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name ?? NameOf("ormperf-replicas", serviceKey),
            sp => new ReplicasHealthCheck(Servers(sp, serviceKey, nameof(AddOrmPerfReplicas))),
            failureStatus,
            tags));
    }

    private static string NameOf(string check, object? serviceKey) => serviceKey is null ? check : $"{check}-{serviceKey}";

    private static ServerSet Servers(IServiceProvider services, object? serviceKey, string check) =>
        services.GetKeyedService<ServerSet>(serviceKey)
        ?? throw new InvalidOperationException(
            $"{check} reports the read router's state, but AddReadReplicas was not called on the primary {(serviceKey is null ? "of AddOrmPerf" : $"registered with AddKeyedOrmPerf under '{serviceKey}'")}; chain AddReadReplicas on its builder (without replicas, to probe the primary only).");
}
