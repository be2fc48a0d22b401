using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using OrmPerf.Caching;
using OrmPerf.Changes;
using OrmPerf.Connections;
using OrmPerf.Consistency;
using OrmPerf.Routing.Consistency;
using OrmPerf.Routing.Diagnostics;
using OrmPerf.Routing.Options;
using OrmPerf.Routing.Safety;
using OrmPerf.Sql;

namespace OrmPerf.Routing;

/// <summary>
/// The scoped <see cref="IConnectionRouter"/>: picks the server per call and keeps the scope's consistency token. Inside
/// a cache fill (<see cref="CacheFill"/>) a read also honours the fill's demand and reports the position it reads at.
/// With replicas it is also the scope's end of the write seam (<see cref="IWriteReporter"/>): the ambient reporter of
/// the flow that resolved it and of the write connections it opens, so the batch writer's awaited commits and
/// <c>RowUpdate</c> on those connections become the scope's writes and reach the table change listeners with their position.
/// </summary>
internal sealed class ConnectionRouter : IConnectionRouter, IReadRequirement, IWriteReporter
{
    private readonly ServerSet _servers;
    private readonly ITableChangeListener[] _listeners;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private ConsistencyToken? _token;
    private bool _writePending;
    // Set (never cleared) once the scope has written or been given a token: until then a read demands nothing of
    // read-your-writes and can skip its lock.
    private volatile bool _mayDemandConsistency;

    public ConnectionRouter(ServerSet servers, ILoggerFactory? loggerFactory = null, IEnumerable<ITableChangeListener>? listeners = null)
    {
        _servers = servers;
        _listeners = listeners?.ToArray() ?? [];
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ConnectionRouter>();
        ReadDataSource = new RoutedDataSource(this, Intent.Read);
        WriteDataSource = new RoutedDataSource(this, Intent.Write);
        if (TracksWrites)
        {
            // Synchronous, so the flow that resolves the scope's router (an endpoint, a controller, a test) keeps it as
            // the ambient reporter for the awaited batch writes it makes next.
            WriteScope.Enter(this);
        }
    }

    // Without replicas every read is on the primary: there is nothing to report writes to.
    private bool TracksWrites => _servers.Replicas.Count > 0 && Options.ReadYourWrites != ReadYourWritesMode.Off;

    public System.Data.Common.DbDataSource ReadDataSource { get; }

    public System.Data.Common.DbDataSource WriteDataSource { get; }

    internal string PrimaryConnectionString => _servers.Primary.ConnectionString;

    private ReadReplicaOptions Options => _servers.Options;

    internal NpgsqlConnection CreatePrimaryConnection() => _servers.Primary.CreateConnection();

    /// <summary>The WAL position of the scope's token (resolving a pending write first), or default for none.</summary>
    public ValueTask<NpgsqlLogSequenceNumber> RequiredPositionAsync(CancellationToken cancellationToken)
    {
        if (!_mayDemandConsistency || Options.ReadYourWrites != ReadYourWritesMode.WalPosition)
        {
            return default;
        }

        lock (_gate)
        {
            if (!_writePending)
            {
                return new ValueTask<NpgsqlLogSequenceNumber>(_token?.WalPosition ?? default);
            }
        }

        return ResolveRequiredPositionAsync(cancellationToken);
    }

    private async ValueTask<NpgsqlLogSequenceNumber> ResolveRequiredPositionAsync(CancellationToken cancellationToken)
    {
        await ResolvePendingWriteAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return _token?.WalPosition ?? default;
        }
    }

    public ValueTask<NpgsqlConnection> OpenConnectionAsync(Intent intent, CancellationToken cancellationToken = default) =>
        OpenConnectionAsync(intent, null, cancellationToken);

    public ValueTask<NpgsqlConnection> OpenConnectionAsync(Intent intent, ConsistencyToken? consistency, CancellationToken cancellationToken = default)
    {
        if (intent == Intent.Write)
        {
            return OpenWriteNotedAsync(cancellationToken);
        }

        var read = OpenReadAsync(consistency, primaryReason: null, cancellationToken);
        return read.IsCompletedSuccessfully ? new ValueTask<NpgsqlConnection>(read.Result.Connection) : ConnectionOfAsync(read);
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null, Intent intent = Intent.Read, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var command = new CommandDefinition(sql, parameters, cancellationToken: cancellationToken);
        if (intent == Intent.Write)
        {
            var primary = await OpenWriteAsync(cancellationToken).ConfigureAwait(false);
            await using var primaryDisposal = primary.ConfigureAwait(false);
            var rows = (await primary.QueryAsync<T>(command).ConfigureAwait(false)).AsList();
            await CaptureWriteAsync(primary, cancellationToken).ConfigureAwait(false);
            return rows;
        }

        var primaryReason = PrimaryOnlySql.Requires(sql) ? FallbackReason.LockingOrWritingSql : null;
        for (var failures = 0; ; failures++)
        {
            if (failures > 0 && failures >= _servers.Replicas.Count)
            {
                primaryReason = FallbackReason.ReplicasFailed;
            }

            var (connection, replica) = await OpenReadAsync(null, primaryReason, cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                try
                {
                    return (await connection.QueryAsync<T>(command).ConfigureAwait(false)).AsList();
                }
                catch (NpgsqlException e) when (replica is not null && IsServerGone(e) && !cancellationToken.IsCancellationRequested)
                {
                    // Reads are safe to repeat; the replica is out of rotation, so the next attempt goes elsewhere.
                    await FailOverAsync(replica, e).ConfigureAwait(false);
                }
            }
        }
    }

    public async Task<int> ExecuteAsync(string sql, object? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var connection = await OpenWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var affected = await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var committedAt = await CaptureWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        // Through the write seam: the query cache drops the tables' entries at the write's position, with no
        // invalidation call. SQL whose tables cannot be told is left to the application's invalidation, as before.
        // Not inside an ambient transaction: the write commits later, with it.
        if (TracksWrites && _listeners.Length > 0 && System.Transactions.Transaction.Current is null && SqlTableParser.WrittenTables(sql) is { Count: > 0 } tables)
        {
            await NotifyListenersAsync([.. tables], committedAt, cancellationToken).ConfigureAwait(false);
        }

        return affected;
    }

    public void Require(ConsistencyToken token) => Merge(token);

    public void NoteWrite()
    {
        switch (Options.ReadYourWrites)
        {
            case ReadYourWritesMode.WalPosition:
                // The write happens after the call (on a write connection) or was made unseen (a batch writer): its
                // position is read when a read or the token first needs it.
                lock (_gate)
                {
                    _writePending = true;
                    _mayDemandConsistency = true;
                }

                break;
            case ReadYourWritesMode.TimeWindow:
                Merge(new ConsistencyToken(default, _servers.TimeProvider.GetUtcNow()));
                break;
        }
    }

    public async ValueTask<ConsistencyToken?> GetConsistencyTokenAsync(CancellationToken cancellationToken = default)
    {
        await ResolvePendingWriteAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return _token;
        }
    }

    private static async ValueTask<NpgsqlConnection> ConnectionOfAsync(ValueTask<(NpgsqlConnection Connection, Replica? Replica)> read) =>
        (await read.ConfigureAwait(false)).Connection;

    private async ValueTask<NpgsqlConnection> OpenWriteNotedAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenWriteAsync(cancellationToken).ConfigureAwait(false);
        NoteWrite();
        if (TracksWrites)
        {
            WriteScope.Track(connection, this);
        }

        return connection;
    }

    public void RecordWrite(NpgsqlLogSequenceNumber commitPosition)
    {
        if (commitPosition == default || Options.ReadYourWrites != ReadYourWritesMode.WalPosition)
        {
            NoteWrite(); // unknown position: read from the primary when needed; time window: the write's time
            return;
        }

        _servers.ObserveWritePosition(commitPosition);
        Merge(new ConsistencyToken(commitPosition, _servers.TimeProvider.GetUtcNow()));
    }

    public ValueTask ReportAsync(IReadOnlyList<string> tables, NpgsqlLogSequenceNumber commitPosition, CancellationToken cancellationToken)
    {
        RecordWrite(commitPosition);
        return NotifyListenersAsync(tables, commitPosition, cancellationToken);
    }

    private async ValueTask NotifyListenersAsync(IReadOnlyList<string> tables, NpgsqlLogSequenceNumber commitPosition, CancellationToken cancellationToken)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                await listener.OnTablesChangedAsync(tables, commitPosition, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.ChangeListenerFailed(_logger, e, listener.GetType().Name, string.Join(", ", tables));
            }
        }
    }

    private async ValueTask<NpgsqlConnection> OpenWriteAsync(CancellationToken cancellationToken)
    {
        var connection = await DataSourceOpening.OpenAsync(_servers.Primary, cancellationToken).ConfigureAwait(false);
        RoutingMetrics.Write(IOrmPerfDataSourceFactory.PrimaryName);
        return connection;
    }

    /// <summary>
    /// Opens a read connection. The common case (replicas configured, nothing sends the read to the primary, no
    /// read-your-writes demand) goes straight to the first qualifying replica and completes synchronously when its pool
    /// has an idle connection: no list, no state machine, no lock.
    /// </summary>
    private ValueTask<(NpgsqlConnection Connection, Replica? Replica)> OpenReadAsync(ConsistencyToken? consistency, string? primaryReason, CancellationToken cancellationToken)
    {
        if (primaryReason is null && consistency is null && _servers.Replicas.Count > 0 && !_mayDemandConsistency && System.Transactions.Transaction.Current is null)
        {
            var fill = CacheFill.Current;
            if (fill is null)
            {
                return OpenReplicaReadAsync(mustHaveReplayed: null, cancellationToken);
            }

            // A fill that demands nothing (no invalidation with a position, no token) takes the same fast path and
            // only reports where it read.
            if (fill.Demand == default)
            {
                var opening = OpenReplicaReadAsync(mustHaveReplayed: null, cancellationToken);
                if (opening.IsCompletedSuccessfully)
                {
                    Report(fill, opening.Result.Replica);
                    return opening;
                }

                return ReportWhenOpenedAsync(opening, fill);
            }
        }

        return OpenCheckedReadAsync(consistency, primaryReason, cancellationToken);
    }

    private async ValueTask<(NpgsqlConnection Connection, Replica? Replica)> ReportWhenOpenedAsync(ValueTask<(NpgsqlConnection Connection, Replica? Replica)> opening, CacheFill fill)
    {
        var opened = await opening.ConfigureAwait(false);
        Report(fill, opened.Replica);
        return opened;
    }

    /// <summary>
    /// Tells a fill the position its read is known to be at: the replica's probed replay position (its snapshot can only
    /// be newer), or for the primary the newest position the router knows of (at least the fill's demand).
    /// </summary>
    private void Report(CacheFill fill, Replica? replica)
    {
        var known = _servers.LatestWritePosition;
        fill.Report(replica is not null
            ? replica.Health?.ReplayPosition ?? default
            : fill.Demand > known ? fill.Demand : known);
    }

    /// <summary>A read with something to honour; inside a cache fill, the fill's demand is added to the scope's, and where it read is reported.</summary>
    private async ValueTask<(NpgsqlConnection Connection, Replica? Replica)> OpenCheckedReadAsync(ConsistencyToken? consistency, string? primaryReason, CancellationToken cancellationToken)
    {
        var fill = CacheFill.Current;
        var opened = await OpenCheckedReadCoreAsync(consistency, fill?.Demand ?? default, primaryReason, cancellationToken).ConfigureAwait(false);
        if (fill is not null)
        {
            Report(fill, opened.Replica);
        }

        return opened;
    }

    private async ValueTask<(NpgsqlConnection Connection, Replica? Replica)> OpenCheckedReadCoreAsync(
        ConsistencyToken? consistency, NpgsqlLogSequenceNumber fillDemand, string? primaryReason, CancellationToken cancellationToken)
    {
        if (_servers.Replicas.Count == 0)
        {
            return (await OpenPrimaryReadAsync(null, cancellationToken).ConfigureAwait(false), null);
        }

        if (primaryReason is null && System.Transactions.Transaction.Current is not null)
        {
            primaryReason = FallbackReason.Transaction;
        }

        NpgsqlLogSequenceNumber? mustHaveReplayed = null;
        if (primaryReason is null)
        {
            (mustHaveReplayed, primaryReason) = await ReadYourWritesAsync(consistency, cancellationToken).ConfigureAwait(false);
            if (fillDemand != default && !(mustHaveReplayed >= fillDemand))
            {
                mustHaveReplayed = fillDemand;
            }
        }

        if (primaryReason is not null)
        {
            return (await OpenPrimaryReadAsync(primaryReason, cancellationToken).ConfigureAwait(false), null);
        }

        return await OpenReplicaReadAsync(mustHaveReplayed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens on the first candidate replica; only when that fails are the others listed and tried, then the primary.</summary>
    private ValueTask<(NpgsqlConnection Connection, Replica? Replica)> OpenReplicaReadAsync(NpgsqlLogSequenceNumber? mustHaveReplayed, CancellationToken cancellationToken)
    {
        var turn = _servers.NextTurn();
        if (_servers.FirstCandidate(turn, mustHaveReplayed) is not { } replica)
        {
            return FallBackToPrimaryAsync(mustHaveReplayed, turn, triedReplicas: false, lastError: null, cancellationToken);
        }

        var opening = DataSourceOpening.OpenAsync(replica.DataSource, cancellationToken);
        return opening.IsCompletedSuccessfully
            ? new ValueTask<(NpgsqlConnection, Replica?)>(Opened(replica, opening.Result))
            : FinishReplicaOpenAsync(opening, replica, turn, mustHaveReplayed, cancellationToken);
    }

    private async ValueTask<(NpgsqlConnection Connection, Replica? Replica)> FinishReplicaOpenAsync(
        ValueTask<NpgsqlConnection> opening, Replica replica, int turn, NpgsqlLogSequenceNumber? mustHaveReplayed, CancellationToken cancellationToken)
    {
        try
        {
            return Opened(replica, await opening.ConfigureAwait(false));
        }
        catch (Exception e) when (IsFailedOpen(e, cancellationToken))
        {
            await FailOverAsync(replica, e).ConfigureAwait(false);
            return await OpenOtherReplicaReadAsync(replica, e, turn, mustHaveReplayed, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<(NpgsqlConnection Connection, Replica? Replica)> OpenOtherReplicaReadAsync(
        Replica failed, Exception failure, int turn, NpgsqlLogSequenceNumber? mustHaveReplayed, CancellationToken cancellationToken)
    {
        var lastError = failure;
        foreach (var replica in _servers.Candidates(turn, mustHaveReplayed))
        {
            if (replica == failed)
            {
                continue;
            }

            try
            {
                return Opened(replica, await DataSourceOpening.OpenAsync(replica.DataSource, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (IsFailedOpen(e, cancellationToken))
            {
                lastError = e;
                await FailOverAsync(replica, e).ConfigureAwait(false);
            }
        }

        return await FallBackToPrimaryAsync(mustHaveReplayed, turn, triedReplicas: true, lastError, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<(NpgsqlConnection Connection, Replica? Replica)> FallBackToPrimaryAsync(
        NpgsqlLogSequenceNumber? mustHaveReplayed, int turn, bool triedReplicas, Exception? lastError, CancellationToken cancellationToken)
    {
        var reason = triedReplicas ? FallbackReason.ReplicasFailed
            : mustHaveReplayed is not null && _servers.FirstCandidate(turn, null) is not null ? FallbackReason.ReadYourWrites
            : FallbackReason.NoReplicaQualifies;
        if (reason != FallbackReason.ReadYourWrites && Options.WhenNoReplicaQualifies == NoReplicaFallback.Fail)
        {
            throw new NoReplicaAvailableException(
                $"No read replica qualifies ({reason}: down, more than {Options.MaxReplicaLag} behind, or not in recovery) and {nameof(ReadReplicaOptions)}.{nameof(ReadReplicaOptions.WhenNoReplicaQualifies)} is {NoReplicaFallback.Fail}.",
                lastError);
        }

        return (await OpenPrimaryReadAsync(reason, cancellationToken).ConfigureAwait(false), null);
    }

    private static (NpgsqlConnection Connection, Replica? Replica) Opened(Replica replica, NpgsqlConnection connection)
    {
        replica.Track(connection);
        RoutingMetrics.Read(replica.Name);
        return (connection, replica);
    }

    // A replica that refuses or times out is failed over; a cancelled open is the caller's doing and propagates.
    private static bool IsFailedOpen(Exception error, CancellationToken cancellationToken) =>
        error is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested;

    private async ValueTask<NpgsqlConnection> OpenPrimaryReadAsync(string? fallbackReason, CancellationToken cancellationToken)
    {
        var connection = await DataSourceOpening.OpenAsync(_servers.Primary, cancellationToken).ConfigureAwait(false);
        RoutingMetrics.Read(IOrmPerfDataSourceFactory.PrimaryName);
        if (fallbackReason is not null)
        {
            RoutingMetrics.Fallback(fallbackReason);
        }

        return connection;
    }

    private async ValueTask FailOverAsync(Replica replica, Exception error)
    {
        Log.ReplicaFailed(_logger, replica.Name, error);
        RoutingMetrics.Failover(replica.Name);
        await replica.MarkDownAsync().ConfigureAwait(false);
    }

    /// <summary>What the scope's writes (and <paramref name="consistency"/>) demand of this read: a replay position, the primary, or nothing.</summary>
    private async ValueTask<(NpgsqlLogSequenceNumber? MustHaveReplayed, string? PrimaryReason)> ReadYourWritesAsync(ConsistencyToken? consistency, CancellationToken cancellationToken)
    {
        if (Options.ReadYourWrites == ReadYourWritesMode.Off)
        {
            return (null, null);
        }

        await ResolvePendingWriteAsync(cancellationToken).ConfigureAwait(false);
        ConsistencyToken? token;
        lock (_gate)
        {
            token = _token;
        }

        if (consistency is { } passed)
        {
            token = token is { } own ? ConsistencyToken.Max(own, passed) : passed;
        }

        if (token is not { } required)
        {
            return (null, null);
        }

        if (Options.ReadYourWrites == ReadYourWritesMode.TimeWindow)
        {
            var inWindow = _servers.TimeProvider.GetUtcNow() - required.WrittenAt < Options.ReadYourWritesWindow;
            return (null, inWindow ? FallbackReason.ReadYourWrites : null);
        }

        return (required.WalPosition, null);
    }

    /// <summary>
    /// Records the position of a write just made on <paramref name="connection"/>, on that same connection, and returns
    /// it (<see langword="default"/> when read-your-writes does not use positions).
    /// </summary>
    private async ValueTask<NpgsqlLogSequenceNumber> CaptureWriteAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        switch (Options.ReadYourWrites)
        {
            case ReadYourWritesMode.WalPosition:
                var written = await CurrentWalPositionAsync(connection, cancellationToken).ConfigureAwait(false);
                _servers.ObserveWritePosition(written);
                Merge(new ConsistencyToken(written, _servers.TimeProvider.GetUtcNow()));
                return written;
            case ReadYourWritesMode.TimeWindow:
                Merge(new ConsistencyToken(default, _servers.TimeProvider.GetUtcNow()));
                break;
        }

        return default;
    }

    private async ValueTask ResolvePendingWriteAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_writePending)
            {
                return;
            }

            // Cleared before reading, so a write connection opened meanwhile sets it again and is not lost.
            _writePending = false;
        }

        try
        {
            var primary = await DataSourceOpening.OpenAsync(_servers.Primary, cancellationToken).ConfigureAwait(false);
            await using var primaryDisposal = primary.ConfigureAwait(false);
            var written = await CurrentWalPositionAsync(primary, cancellationToken).ConfigureAwait(false);
            _servers.ObserveWritePosition(written);
            Merge(new ConsistencyToken(written, _servers.TimeProvider.GetUtcNow()));
        }
        catch
        {
            lock (_gate)
            {
                _writePending = true;
            }

            throw;
        }
    }

    internal static async Task<NpgsqlLogSequenceNumber> CurrentWalPositionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand("SELECT pg_current_wal_lsn()", connection);
        await using var commandDisposal = command.ConfigureAwait(false);
        return (NpgsqlLogSequenceNumber)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private void Merge(ConsistencyToken token)
    {
        lock (_gate)
        {
            _token = _token is { } current ? ConsistencyToken.Max(current, token) : token;
            _mayDemandConsistency = true;
        }
    }

    // The replica stopped or dropped the connection (I/O error, admin shutdown, cannot connect now), as opposed to an
    // error in the query itself, which would fail on any server.
    private static bool IsServerGone(NpgsqlException error) => error switch
    {
        PostgresException postgres => postgres.SqlState.StartsWith("57P", StringComparison.Ordinal) || postgres.SqlState.StartsWith("08", StringComparison.Ordinal),
        _ => true,
    };
}
