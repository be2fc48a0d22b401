using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OrmPerf.Redis.Diagnostics;

namespace OrmPerf.IntegrationTests.Redis;

/// <summary>
/// The <c>OrmPerf.Redis</c> counters recorded by the nodes of one key prefix, so tests running in parallel on other
/// prefixes do not disturb the counts.
/// </summary>
internal sealed class RedisMetrics(string keyPrefix) : IDisposable
{
    private readonly MetricCollector<long> _hits = Collect(RedisDiagnostics.Hits);
    private readonly MetricCollector<long> _misses = Collect(RedisDiagnostics.Misses);
    private readonly MetricCollector<long> _errors = Collect(RedisDiagnostics.Errors);
    private readonly MetricCollector<long> _sent = Collect(RedisDiagnostics.MessagesSent);
    private readonly MetricCollector<long> _received = Collect(RedisDiagnostics.MessagesReceived);
    private readonly MetricCollector<long> _circuit = Collect(RedisDiagnostics.CircuitTransitions);

    public long Hits => Sum(_hits);

    public long Misses => Sum(_misses);

    public long Errors => Sum(_errors);

    /// <summary>Failed calls of one operation (<c>get</c>, <c>set</c>, <c>tags</c>, <c>publish</c>...).</summary>
    public long ErrorsOf(string operation) => Sum(_errors, ("ormperf.redis.operation", operation));

    public long MessagesSent => Sum(_sent);

    public long MessagesReceived => Sum(_received);

    /// <summary>Circuit transitions to <paramref name="state"/> (<c>open</c>, <c>half_open</c> or <c>closed</c>).</summary>
    public long CircuitTransitionsTo(string state) => Sum(_circuit, ("ormperf.redis.circuit.state", state));

    public void Dispose()
    {
        foreach (var collector in new[] { _hits, _misses, _errors, _sent, _received, _circuit })
        {
            collector.Dispose();
        }
    }

    private static MetricCollector<long> Collect(string instrument) => new(null, RedisDiagnostics.MeterName, instrument);

    private long Sum(MetricCollector<long> collector, params (string Name, string Value)[] tags) =>
        collector.GetMeasurementSnapshot()
            .Where(measurement => Equals(measurement.Tags.GetValueOrDefault(RedisDiagnostics.KeyPrefixTag), keyPrefix)
                && tags.All(tag => Equals(measurement.Tags.GetValueOrDefault(tag.Name), tag.Value)))
            .Sum(measurement => measurement.Value);
}
