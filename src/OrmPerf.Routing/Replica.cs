using System.Data;
using Npgsql;
using OrmPerf.Routing.Probing;
using Polly;
using Polly.CircuitBreaker;

namespace OrmPerf.Routing;

/// <summary>
/// One read replica as the router sees it: its data source, its circuit breaker, its last health probe and the
/// connections open on it. Thread-safe: health is swapped atomically, counts are interlocked, the breaker is Polly's.
/// </summary>
internal sealed class Replica : IAsyncDisposable
{
    private readonly CircuitBreakerManualControl _control = new();
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly StateChangeEventHandler? _onStateChange;
    private ReplicaHealth? _health;
    private int _inFlight;
    private volatile bool _circuitAdmits = true;

    public Replica(string name, NpgsqlDataSource dataSource, bool trackInFlight)
    {
        Name = name;
        DataSource = dataSource;
        // The breaker is driven by hand: a failed open isolates the circuit at once (MarkDownAsync) because one refused
        // connection is proof enough, and only a successful probe closes it again. Opens do not run through the pipeline:
        // every failure it could count isolates the replica anyway, and a pipeline execution would cost more than the
        // pooled open it guards. Its state is mirrored in a field that the router reads on every open.
        _ = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { ManualControl = _control, StateProvider = _state })
            .Build();
        _onStateChange = trackInFlight ? OnConnectionStateChange : null;
    }

    public string Name { get; }

    public NpgsqlDataSource DataSource { get; }

    public CircuitState CircuitState => _state.CircuitState;

    /// <summary>Whether the circuit lets reads through (neither open nor isolated); a field read, for every open.</summary>
    public bool CircuitAdmits => _circuitAdmits;

    /// <summary>The last probe's result; null until the first probe (the replica then counts as qualifying).</summary>
    public ReplicaHealth? Health
    {
        get => Volatile.Read(ref _health);
        set => Volatile.Write(ref _health, value);
    }

    /// <summary>Connections opened through the router on this replica and not yet closed (counted for least-in-flight only).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Counts <paramref name="connection"/> as in flight until it closes, when balancing needs the count.</summary>
    public void Track(NpgsqlConnection connection)
    {
        if (_onStateChange is not null)
        {
            Interlocked.Increment(ref _inFlight);
            connection.StateChange += _onStateChange;
        }
    }

    /// <summary>Takes the replica out of rotation until a probe succeeds, and drops its pooled connections, which are likely dead.</summary>
    public async ValueTask MarkDownAsync()
    {
        _circuitAdmits = false;
        DataSource.Clear();
        if (CircuitState != CircuitState.Isolated)
        {
            await _control.IsolateAsync().ConfigureAwait(false);
        }

        MirrorCircuit();
    }

    /// <summary>Puts an isolated replica back into rotation after a successful probe.</summary>
    public async ValueTask<bool> MarkUpAsync()
    {
        if (CircuitState != CircuitState.Isolated)
        {
            return false;
        }

        await _control.CloseAsync().ConfigureAwait(false);
        MirrorCircuit();
        return true;
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    // Read after every transition, so that when a MarkDown and a MarkUp race, the last one to mirror sees the final state.
    private void MirrorCircuit() => _circuitAdmits = CircuitState is not (CircuitState.Open or CircuitState.Isolated);

    // One handler per replica rather than a closure per connection; it unsubscribes itself, so each connection is
    // released once however often it is reopened and closed by its user.
    private void OnConnectionStateChange(object? sender, StateChangeEventArgs change)
    {
        if (change.CurrentState == ConnectionState.Closed && sender is NpgsqlConnection connection)
        {
            connection.StateChange -= _onStateChange;
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
