using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrmPerf.Connections;

/// <summary>
/// OrmPerf's view of pool pressure: listens to Npgsql's own pool instruments (meter <c>Npgsql</c>) for the data sources
/// one <see cref="OrmPerfDataSourceFactory"/> built, told apart by their pool name. An open that finds no idle connection
/// and the pool at its maximum raises <c>pending_requests</c> while it waits: each rise is an acquire wait, the level is
/// the queue. Timeouts are opens that gave up. Thread-safe.
/// </summary>
/// <remarks>
/// Npgsql reports a wait only when it happens, so the listener costs nothing while the pool keeps up. It reads both
/// Npgsql 10's names (<c>db.client.connection.npgsql.pending_requests</c>, tag <c>db.client.connection.pool.name</c>) and
/// the names before it (<c>db.client.connections.pending_requests</c>, tag <c>pool.name</c>).
/// </remarks>
internal sealed class PoolPressureListener : IDisposable
{
    private const string NpgsqlMeter = "Npgsql";
    private static readonly string[] PendingInstruments = ["db.client.connection.npgsql.pending_requests", "db.client.connections.pending_requests"];
    private static readonly string[] TimeoutInstruments = ["db.client.connection.npgsql.timeouts", "db.client.connections.timeouts"];
    private static readonly string[] PoolNameTags = ["db.client.connection.pool.name", "pool.name"];

    private readonly ConcurrentDictionary<string, PoolCounters> _pools = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();
    private readonly TimeProvider _time;
    private readonly long _started;

    public PoolPressureListener(TimeProvider timeProvider)
    {
        _time = timeProvider;
        _started = timeProvider.GetTimestamp();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == NpgsqlMeter && (PendingInstruments.Contains(instrument.Name) || TimeoutInstruments.Contains(instrument.Name)))
            {
                listener.EnableMeasurementEvents(instrument, state: PendingInstruments.Contains(instrument.Name));
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, value, tags, pending) => Record(value, tags, (bool)pending!));
        _listener.SetMeasurementEventCallback<long>((_, value, tags, pending) => Record((int)value, tags, (bool)pending!));
        _listener.Start();
    }

    /// <summary>Starts counting the pool of the data source named <paramref name="name"/> (its <c>NpgsqlDataSourceBuilder.Name</c>).</summary>
    public void Track(string name, string role, int maxPoolSize) => _pools.TryAdd(name, new PoolCounters(role, maxPoolSize));

    /// <summary>What each tracked pool went through since the listener started.</summary>
    public IReadOnlyList<PoolPressureReading> Read()
    {
        var now = _time.GetTimestamp();
        return _pools.Select(pool => pool.Value.Read(pool.Key, now, _time.GetElapsedTime(_started, now), _time))
            .OrderBy(reading => reading.Name, StringComparer.Ordinal).ToList();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(int value, ReadOnlySpan<KeyValuePair<string, object?>> tags, bool pending)
    {
        foreach (var tag in tags)
        {
            if (PoolNameTags.Contains(tag.Key) && tag.Value is string name && _pools.TryGetValue(name, out var pool))
            {
                if (pending)
                {
                    pool.Pending(value, _time);
                }
                else
                {
                    pool.TimedOut(value);
                }

                return;
            }
        }
    }

    /// <summary>One pool's counters; a lock per pool, taken only when an open waits or times out.</summary>
    private sealed class PoolCounters(string role, int maxPoolSize)
    {
        private readonly object _lock = new();
        private long _waits;
        private int _pending;
        private int _peakPending;
        private long _timeouts;
        private bool _exhaustedNow;
        private long _exhaustedSince;
        private TimeSpan _exhausted;

        // Exhausted: from the first waiting open to the moment no open waits any more.
        public void Pending(int delta, TimeProvider time)
        {
            lock (_lock)
            {
                if (delta > 0)
                {
                    _waits += delta;
                }

                _pending = Math.Max(0, _pending + delta);
                _peakPending = Math.Max(_peakPending, _pending);
                if (_pending > 0 && !_exhaustedNow)
                {
                    _exhaustedNow = true;
                    _exhaustedSince = time.GetTimestamp();
                }
                else if (_pending == 0 && _exhaustedNow)
                {
                    _exhaustedNow = false;
                    _exhausted += time.GetElapsedTime(_exhaustedSince);
                }
            }
        }

        public void TimedOut(int count)
        {
            lock (_lock)
            {
                _timeouts += count;
            }
        }

        public PoolPressureReading Read(string name, long now, TimeSpan observed, TimeProvider time)
        {
            lock (_lock)
            {
                var exhausted = !_exhaustedNow ? _exhausted : _exhausted + time.GetElapsedTime(_exhaustedSince, now);
                return new PoolPressureReading(name, role, maxPoolSize, _waits, _peakPending, _pending, _timeouts, exhausted, observed);
            }
        }
    }
}
