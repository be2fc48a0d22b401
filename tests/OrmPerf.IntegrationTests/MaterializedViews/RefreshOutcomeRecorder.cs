using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrmPerf.Diagnostics;

namespace OrmPerf.IntegrationTests.MaterializedViews;

/// <summary>Collects the outcomes of <c>ormperf.view.refreshes</c> for the views of one test schema.</summary>
internal sealed class RefreshOutcomeRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string View, string Outcome)> _outcomes = new();

    public RefreshOutcomeRecorder(string schema)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == OrmPerfDiagnostics.MeterName && instrument.Name == OrmPerfDiagnostics.ViewRefreshes)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? view = null, outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == OrmPerfDiagnostics.DbCollectionNameTag) view = tag.Value as string;
                if (tag.Key == OrmPerfDiagnostics.OutcomeTag) outcome = tag.Value as string;
            }

            if (view is not null && outcome is not null && view.StartsWith(schema + ".", StringComparison.Ordinal))
            {
                _outcomes.Enqueue((view[(schema.Length + 1)..], outcome));
            }
        });
        _listener.Start();
    }

    public IReadOnlyList<(string View, string Outcome)> Outcomes => _outcomes.ToArray();

    public async Task WaitForAsync(int count, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (_outcomes.Count < count)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"Expected {count} refresh outcomes, saw {string.Join(", ", _outcomes)}.");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    public void Dispose() => _listener.Dispose();
}
