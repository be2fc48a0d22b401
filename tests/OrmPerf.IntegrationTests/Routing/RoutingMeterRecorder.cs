using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrmPerf.Routing.Diagnostics;

namespace OrmPerf.IntegrationTests.Routing;

/// <summary>Listens to the OrmPerf.Routing meter: sums counters, reads gauges on demand.</summary>
internal sealed class RoutingMeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string? Tag), double> _totals = new();
    private readonly ConcurrentDictionary<(string Instrument, string? Tag), double> _gauges = new();

    public RoutingMeterRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RoutingDiagnostics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of a counter over all tags (or for one tag value).</summary>
    public double Total(string instrument, string? tag = null) =>
        _totals.Where(e => e.Key.Instrument == instrument && (tag is null || e.Key.Tag == tag)).Sum(e => e.Value);

    /// <summary>The current value of a gauge for one replica, or null when it reports none.</summary>
    public double? Gauge(string instrument, string replica)
    {
        _gauges.Clear();
        _listener.RecordObservableInstruments();
        return _gauges.TryGetValue((instrument, replica), out var value) ? value : null;
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // Every routing instrument carries one tag: the target server or the fallback reason.
        string? tag = null;
        foreach (var (_, tagValue) in tags)
        {
            tag = tagValue?.ToString();
        }

        var key = (instrument.Name, tag);
        if (instrument is ObservableInstrument<long> or ObservableInstrument<int> or ObservableInstrument<double>)
        {
            _gauges[key] = value;
        }
        else
        {
            // Without a closure: a routed open records while RouterOpenOverheadTests may be counting its allocations.
            _totals.AddOrUpdate(key, static (_, first) => first, static (_, sum, next) => sum + next, value);
        }
    }
}
