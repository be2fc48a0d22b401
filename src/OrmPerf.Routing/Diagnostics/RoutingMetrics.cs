using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrmPerf.Routing.Diagnostics;

/// <summary>The instruments behind <see cref="RoutingDiagnostics"/>. Thread-safe.</summary>
internal static class RoutingMetrics
{
    // The gauges read every live server set, so that several containers in one process (tests, multi-tenant hosts) all report.
    private static readonly ConcurrentDictionary<ServerSet, byte> LiveSets = new();

    private static readonly Counter<long> ReadCounter = RoutingDiagnostics.Meter.CreateCounter<long>(RoutingDiagnostics.Reads, "{connection}", "Read connections opened, per target server.");
    private static readonly Counter<long> WriteCounter = RoutingDiagnostics.Meter.CreateCounter<long>(RoutingDiagnostics.Writes, "{connection}", "Write connections opened on the primary.");
    private static readonly Counter<long> FallbackCounter = RoutingDiagnostics.Meter.CreateCounter<long>(RoutingDiagnostics.Fallbacks, "{read}", "Reads sent to the primary although replicas are configured.");
    private static readonly Counter<long> FailoverCounter = RoutingDiagnostics.Meter.CreateCounter<long>(RoutingDiagnostics.Failovers, "{read}", "Reads that failed on a replica and were retried elsewhere.");

    static RoutingMetrics()
    {
        RoutingDiagnostics.Meter.CreateObservableGauge(RoutingDiagnostics.ReplicaLag, () => Observe(r => r.Health?.Lag?.TotalSeconds), "s", "Replica replay lag behind the primary.");
        RoutingDiagnostics.Meter.CreateObservableGauge(RoutingDiagnostics.ReplicaLagBytes, () => Observe(r => r.Health?.LagBytes), "By", "Replica replay position behind the primary's WAL position.");
        RoutingDiagnostics.Meter.CreateObservableGauge(RoutingDiagnostics.CircuitState, () => Observe<int>(r => (int)r.CircuitState), "{state}", "Replica circuit: 0 closed, 1 open, 2 half-open, 3 isolated.");
    }

    public static void Register(ServerSet servers) => LiveSets.TryAdd(servers, 0);

    public static void Unregister(ServerSet servers) => LiveSets.TryRemove(servers, out _);

    public static void Read(string target) => ReadCounter.Add(1, new KeyValuePair<string, object?>(RoutingDiagnostics.TargetTag, target));

    public static void Write(string target) => WriteCounter.Add(1, new KeyValuePair<string, object?>(RoutingDiagnostics.TargetTag, target));

    public static void Fallback(string reason) => FallbackCounter.Add(1, new KeyValuePair<string, object?>(RoutingDiagnostics.ReasonTag, reason));

    public static void Failover(string replica) => FailoverCounter.Add(1, new KeyValuePair<string, object?>(RoutingDiagnostics.TargetTag, replica));

    private static IEnumerable<Measurement<T>> Observe<T>(Func<Replica, T?> read)
        where T : struct
    {
        foreach (var servers in LiveSets.Keys)
        {
            foreach (var replica in servers.Replicas)
            {
                if (read(replica) is { } value)
                {
                    yield return new Measurement<T>(value, new KeyValuePair<string, object?>(RoutingDiagnostics.TargetTag, replica.Name));
                }
            }
        }
    }
}
