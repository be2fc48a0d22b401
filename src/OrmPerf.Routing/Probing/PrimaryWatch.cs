namespace OrmPerf.Routing.Probing;

/// <summary>
/// Registered (under the primary's key) by <c>AddOrmPerfPrimary</c>: the health monitor then probes the primary every
/// <see cref="ReadReplicaOptions.ProbeInterval"/> even without replicas, so the check reports the router's own state.
/// Without it and without replicas nothing is probed, as before.
/// </summary>
internal sealed class PrimaryWatch;
