using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrmPerf.Benchmarks.Batching;

/// <summary>
/// Per-request latencies and throughput of a benchmark case, kept in the host process (the benchmarks that use it run
/// in-process) for <see cref="RequestLatencyColumn"/>: every operation's requests, over all its iterations.
/// </summary>
public sealed class RequestLatency
{
    private static readonly ConcurrentDictionary<string, RequestLatency> ByCase = new();
    private readonly List<double> _milliseconds = [];
    private long _rows;
    private double _seconds;

    public static RequestLatency For(string method, int requests) => ByCase.GetOrAdd($"{method}/{requests}", _ => new RequestLatency());

    public static RequestLatency? Find(string method, int requests) => ByCase.GetValueOrDefault($"{method}/{requests}");

    /// <summary>Rows committed per second over the measured request phases.</summary>
    public double RowsPerSecond
    {
        get
        {
            lock (_milliseconds)
            {
                return _seconds > 0 ? _rows / _seconds : 0;
            }
        }
    }

    /// <summary>Adds one operation: its rows, how long its requests ran, and each request's latency.</summary>
    public void Add(long rows, TimeSpan elapsed, IEnumerable<double> latenciesMs)
    {
        lock (_milliseconds)
        {
            _rows += rows;
            _seconds += elapsed.TotalSeconds;
            _milliseconds.AddRange(latenciesMs);
        }
    }

    public double Percentile(double p)
    {
        lock (_milliseconds)
        {
            if (_milliseconds.Count == 0)
            {
                return double.NaN;
            }

            _milliseconds.Sort();
            return _milliseconds[(int)Math.Min(_milliseconds.Count - 1, Math.Ceiling(p * _milliseconds.Count) - 1)];
        }
    }

    /// <summary>Runs <paramref name="requests"/> concurrent tasks, each sending <paramref name="each"/> requests one after another and timing each.</summary>
    public static async Task RunAsync(RequestLatency into, int requests, int each, Func<int, Task> request)
    {
        var latencies = new double[requests * each];
        var all = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, requests).Select(task => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                var index = task * each + i;
                var started = Stopwatch.GetTimestamp();
                await request(index);
                latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        })));
        into.Add(latencies.Length, all.Elapsed, latencies);
    }
}
