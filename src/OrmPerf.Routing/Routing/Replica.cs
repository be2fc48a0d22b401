using Npgsql;
using OrmPerf.Routing.Health;
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
    private ReplicaHealth? _health;
    private int _inFlight;

    public Replica(string name, NpgsqlDataSource dataSource, TimeProvider timeProvider)
    {
        Name = name;
        DataSource = dataSource;
        // The breaker counts failed opens like any Polly breaker; on top, a failed open isolates the circuit at once
        // (MarkDownAsync) because one refused connection is proof enough, and only a successful probe closes it again.
        Breaker = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>().Handle<TimeoutException>(),
                FailureRatio = 0.5,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(5),
                ManualControl = _control,
                StateProvider = _state,
            })
            .Build();
    }

    public string Name { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The per-replica circuit breaker every open runs through.</summary>
    public ResiliencePipeline Breaker { get; }

    public CircuitState CircuitState => _state.CircuitState;

    /// <summary>The last probe's result; null until the first probe (the replica then counts as qualifying).</summary>
    public ReplicaHealth? Health
    {
        get => Volatile.Read(ref _health);
        set => Volatile.Write(ref _health, value);
    }

    /// <summary>Connections opened through the router on this replica and not yet closed.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Counts <paramref name="connection"/> as in flight until it closes.</summary>
    public void Track(NpgsqlConnection connection)
    {
        Interlocked.Increment(ref _inFlight);
        var released = 0;
        connection.StateChange += (_, change) =>
        {
            if (change.CurrentState == System.Data.ConnectionState.Closed && Interlocked.Exchange(ref released, 1) == 0)
            {
                Interlocked.Decrement(ref _inFlight);
            }
        };
    }

    /// <summary>Takes the replica out of rotation until a probe succeeds, and drops its pooled connections, which are likely dead.</summary>
    public async ValueTask MarkDownAsync()
    {
        DataSource.Clear();
        if (CircuitState != CircuitState.Isolated)
        {
            await _control.IsolateAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Puts an isolated replica back into rotation after a successful probe.</summary>
    public async ValueTask<bool> MarkUpAsync()
    {
        if (CircuitState != CircuitState.Isolated)
        {
            return false;
        }

        await _control.CloseAsync().ConfigureAwait(false);
        return true;
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
