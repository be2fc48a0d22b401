using Npgsql;
using NpgsqlTypes;
using OrmPerf.Connections;
using OrmPerf.Consistency;
using OrmPerf.Routing.Diagnostics;
using OrmPerf.Routing.Probing;

namespace OrmPerf.Routing;

/// <summary>
/// The primary and the replicas of one container, each with its own data source, and the choice of replicas for a
/// read. A singleton shared by every scope's router. Also the query cache's source of write positions: the primary's
/// current WAL position on demand, and the newest position seen (probes, routed writes, batch commits). Thread-safe.
/// </summary>
internal sealed class ServerSet : IWritePositionSource, IAsyncDisposable
{
    private int _turn = -1;
    private ulong _latestWrite;
    private PrimaryHealth? _primaryHealth;

    public ServerSet(ReadReplicaOptions options, NpgsqlDataSource primary, IOrmPerfDataSourceFactory factory, TimeProvider timeProvider, bool watchPrimary = false)
    {
        Options = options;
        WatchPrimary = watchPrimary;
        Primary = primary;
        TimeProvider = timeProvider;
        Replicas = Options.Replicas
            .Select(endpoint => new Replica(endpoint.Name, factory.Create(endpoint.ConnectionString, endpoint.Name), trackInFlight: Options.Balancing == ReplicaBalancing.LeastInFlight))
            .ToArray();
    }

    public ReadReplicaOptions Options { get; }

    /// <summary>The primary's data source, the one registered by <c>AddOrmPerf</c> (or <c>AddKeyedOrmPerf</c> under the router's key).</summary>
    public NpgsqlDataSource Primary { get; }

    public IReadOnlyList<Replica> Replicas { get; }

    /// <summary>Whether the primary is probed even without replicas (a primary health check is registered).</summary>
    public bool WatchPrimary { get; }

    /// <summary>The last probe of the primary; null until the first probe (or never, without replicas and watch).</summary>
    public PrimaryHealth? PrimaryHealth
    {
        get => Volatile.Read(ref _primaryHealth);
        set => Volatile.Write(ref _primaryHealth, value);
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>The newest WAL position known to be committed on the primary (default before anything was seen).</summary>
    public NpgsqlLogSequenceNumber LatestWritePosition => new(Volatile.Read(ref _latestWrite));

    /// <summary>Raises <see cref="LatestWritePosition"/> to <paramref name="position"/> if it is newer.</summary>
    public void ObserveWritePosition(NpgsqlLogSequenceNumber position)
    {
        var value = (ulong)position;
        var current = Volatile.Read(ref _latestWrite);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref _latestWrite, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>The primary's current WAL position, read on a pooled primary connection (one round trip).</summary>
    public async ValueTask<NpgsqlLogSequenceNumber> CurrentAsync(CancellationToken cancellationToken)
    {
        var connection = await DataSourceOpening.OpenAsync(Primary, cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var position = await ConnectionRouter.CurrentWalPositionAsync(connection, cancellationToken).ConfigureAwait(false);
        ObserveWritePosition(position);
        return position;
    }

    /// <summary>
    /// Where the next read starts looking: rotating the start spreads reads for round-robin and breaks ties fairly for
    /// least-in-flight. Requires at least one replica.
    /// </summary>
    public int NextTurn() => (int)((uint)Interlocked.Increment(ref _turn) % (uint)Replicas.Count);

    /// <summary>
    /// The first of <see cref="Candidates"/> for the same <paramref name="turn"/>, found without building the list (the
    /// common case: the first candidate opens).
    /// </summary>
    public Replica? FirstCandidate(int turn, NpgsqlLogSequenceNumber? mustHaveReplayed)
    {
        Replica? first = null;
        for (var i = 0; i < Replicas.Count; i++)
        {
            var replica = Replicas[(turn + i) % Replicas.Count];
            if (Qualifies(replica, mustHaveReplayed))
            {
                if (Options.Balancing != ReplicaBalancing.LeastInFlight)
                {
                    return replica;
                }

                // Strictly fewer: the earliest in rotated order wins among equals, as the stable sort of Candidates does.
                if (first is null || replica.InFlight < first.InFlight)
                {
                    first = replica;
                }
            }
        }

        return first;
    }

    /// <summary>
    /// The replicas that may serve a read now, in the order to try them: circuit not open, last probe healthy and
    /// within the lag limits, and replayed at least up to <paramref name="mustHaveReplayed"/> when given.
    /// </summary>
    /// <param name="turn">From <see cref="NextTurn"/>.</param>
    /// <param name="mustHaveReplayed">The write position a replica must have replayed, if any.</param>
    public List<Replica> Candidates(int turn, NpgsqlLogSequenceNumber? mustHaveReplayed)
    {
        var candidates = new List<Replica>(Replicas.Count);
        for (var i = 0; i < Replicas.Count; i++)
        {
            var replica = Replicas[(turn + i) % Replicas.Count];
            if (Qualifies(replica, mustHaveReplayed))
            {
                candidates.Add(replica);
            }
        }

        if (Options.Balancing == ReplicaBalancing.LeastInFlight && candidates.Count > 1)
        {
            // A stable sort keeps the rotated order among equals.
            return candidates.OrderBy(replica => replica.InFlight).ToList();
        }

        return candidates;
    }

    public async ValueTask DisposeAsync()
    {
        RoutingMetrics.Unregister(this);
        foreach (var replica in Replicas)
        {
            await replica.DisposeAsync().ConfigureAwait(false);
        }
    }

    private bool Qualifies(Replica replica, NpgsqlLogSequenceNumber? mustHaveReplayed)
    {
        if (!replica.CircuitAdmits)
        {
            return false;
        }

        var health = replica.Health;
        if (mustHaveReplayed is { } position)
        {
            // Without a probed replay position nothing proves the replica has the write.
            return health is { ReplayPosition: { } replayed } && replayed >= position && health.Qualifies(Options);
        }

        return health is null || health.Qualifies(Options);
    }
}
