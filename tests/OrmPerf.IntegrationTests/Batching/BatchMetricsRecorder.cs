using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrmPerf.Diagnostics;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>Sums the batch writer's measurements for one table (tests run in parallel, each on its own table).</summary>
public sealed class BatchMetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _table;

    public BatchMetricsRecorder(string table)
    {
        _table = table;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == OrmPerfDiagnostics.MeterName && instrument.Name.StartsWith("ormperf.batch.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        _listener.Start();
    }

    public ConcurrentDictionary<string, ConcurrentQueue<double>> Measurements { get; } = new();

    public double Sum(string instrument) => Measurements.TryGetValue(instrument, out var values) ? values.Sum() : 0;

    public int Count(string instrument) => Measurements.TryGetValue(instrument, out var values) ? values.Count : 0;

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag is { Key: OrmPerfDiagnostics.DbCollectionNameTag, Value: string table } && table == _table)
            {
                Measurements.GetOrAdd(instrument.Name, _ => new()).Enqueue(value);
            }
        }
    }
}
