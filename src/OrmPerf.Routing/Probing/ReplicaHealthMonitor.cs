using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using OrmPerf.Routing.Diagnostics;

namespace OrmPerf.Routing.Probing;

/// <summary>
/// The hosted service that probes the primary's WAL position and every replica each
/// <see cref="ReadReplicaOptions.ProbeInterval"/> (on the injected <see cref="TimeProvider"/>): reachable,
/// still a standby, replay position, lag. An unreachable replica is marked down; a reachable one that was marked down
/// is put back. One probe loop per primary with replicas (or with a primary health check, <see cref="PrimaryWatch"/>);
/// probes of the replicas run in parallel. The results are the server set's state, which the health checks report.
/// </summary>
internal sealed class ReplicaHealthMonitor : BackgroundService
{
    // The server's own address and port tell a promoted replica that the primary's (multi-host) data source now
    // reaches from one that was promoted beside a live primary; they are the server's view, so host aliases do not matter.
    private const string ReplicaProbe =
        "SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), now() - pg_last_xact_replay_timestamp(), " +
        "CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn() END, inet_server_addr()::text, inet_server_port()";

    private const string PrimaryProbe = "SELECT pg_current_wal_lsn(), inet_server_addr()::text, inet_server_port()";

    private readonly ServerSet _servers;
    private readonly ILogger _logger;
    private readonly PrimaryPositionHistory _history;

    public ReplicaHealthMonitor(ServerSet servers, ILoggerFactory? loggerFactory = null)
    {
        _servers = servers;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ReplicaHealthMonitor>();
        var options = servers.Options;
        // Long enough that a replica past the lag limit is still measured, not just "older than the history".
        var fourLimits = options.MaxReplicaLag * 4;
        var tenProbes = options.ProbeInterval * 10;
        _history = new PrimaryPositionHistory(fourLimits > tenProbes ? fourLimits : tenProbes);
    }

    // Here rather than in the server set's constructor: constructing a service subscribes to nothing.
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        RoutingMetrics.Register(_servers);
        Log.RouterStarted(_logger, _servers.Replicas.Count, _servers.Options.Balancing, _servers.Options.MaxReplicaLag, _servers.Options.ReadYourWrites);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_servers.Replicas.Count == 0 && !_servers.WatchPrimary)
        {
            return;
        }

        using var timer = new PeriodicTimer(_servers.Options.ProbeInterval, _servers.TimeProvider);
        do
        {
            try
            {
                await ProbeAllAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                Log.ProbeRoundFailed(_logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One round: the primary's position first, then every replica against it.</summary>
    internal async Task ProbeAllAsync(CancellationToken cancellationToken)
    {
        var primary = await ProbePrimaryAsync(cancellationToken).ConfigureAwait(false);
        if (primary is { Position: var position })
        {
            _history.Record(_servers.TimeProvider.GetUtcNow(), position);
            _servers.ObserveWritePosition(position);
        }

        await Task.WhenAll(_servers.Replicas.Select(replica => ProbeAsync(replica, primary, cancellationToken))).ConfigureAwait(false);
    }

    private async Task<PrimaryProbeResult?> ProbePrimaryAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = Timeout(cancellationToken);
            var connection = await DataSourceOpening.OpenAsync(_servers.Primary, timeout.Token).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var command = new NpgsqlCommand(PrimaryProbe, connection);
            await using var commandDisposal = command.ConfigureAwait(false);
            var reader = await command.ExecuteReaderAsync(timeout.Token).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            await reader.ReadAsync(timeout.Token).ConfigureAwait(false);
            var result = new PrimaryProbeResult(reader.GetFieldValue<NpgsqlLogSequenceNumber>(0), ServerIdentity(reader, 1));
            _servers.PrimaryHealth = new PrimaryHealth(_servers.TimeProvider.GetUtcNow(), result.Position, result.Identity, ErrorType: null);
            return result;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            _servers.PrimaryHealth = new PrimaryHealth(_servers.TimeProvider.GetUtcNow(), Position: null, Server: null, e.GetType().FullName);
            Log.PrimaryProbeFailed(_logger, e.Message);
            if (e is NpgsqlException)
            {
                // Pooled connections to a primary that went away are dead; without this every probe (and write) would
                // take one of them first. A multi-host data source then also learns the host is offline.
                _servers.Primary.Clear();
            }

            return null;
        }
    }

    // "address:port" as the server reports it; null over a Unix socket, where it cannot tell servers apart.
    private static string? ServerIdentity(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) || reader.IsDBNull(ordinal + 1)
            ? null
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{reader.GetString(ordinal)}:{reader.GetInt32(ordinal + 1)}");

    private async Task ProbeAsync(Replica replica, PrimaryProbeResult? primary, CancellationToken cancellationToken)
    {
        ReplicaHealth health;
        try
        {
            using var timeout = Timeout(cancellationToken);
            var connection = await DataSourceOpening.OpenAsync(replica.DataSource, timeout.Token).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var command = new NpgsqlCommand(ReplicaProbe, connection);
            await using var commandDisposal = command.ConfigureAwait(false);
            var reader = await command.ExecuteReaderAsync(timeout.Token).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            await reader.ReadAsync(timeout.Token).ConfigureAwait(false);
            var inRecovery = reader.GetBoolean(0);
            health = inRecovery
                ? Assess(
                    received: reader.IsDBNull(1) ? null : reader.GetFieldValue<NpgsqlLogSequenceNumber>(1),
                    replayed: reader.IsDBNull(2) ? null : reader.GetFieldValue<NpgsqlLogSequenceNumber>(2),
                    sinceLastReplay: reader.IsDBNull(3) ? null : reader.GetFieldValue<TimeSpan>(3),
                    primary?.Position)
                : AssessNotInRecovery(
                    current: reader.GetFieldValue<NpgsqlLogSequenceNumber>(4),
                    replayed: reader.IsDBNull(2) ? null : reader.GetFieldValue<NpgsqlLogSequenceNumber>(2),
                    identity: ServerIdentity(reader, 5),
                    primary);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            if (replica.Health?.Reachable != false)
            {
                Log.ProbeFailed(_logger, replica.Name, e.Message);
            }

            replica.Health = ReplicaHealth.Unreachable;
            await replica.MarkDownAsync().ConfigureAwait(false);
            return;
        }

        if (!health.InRecovery && (replica.Health is not { InRecovery: false } previous || previous.Promoted != health.Promoted))
        {
            if (health.Promoted)
            {
                Log.Promoted(_logger, replica.Name, primary is null ? "the primary is unreachable" : "the primary's data source now reaches it");
            }
            else
            {
                Log.NotInRecovery(_logger, replica.Name);
            }
        }

        replica.Health = health;
        if (await replica.MarkUpAsync().ConfigureAwait(false))
        {
            Log.ReplicaRecovered(_logger, replica.Name);
        }
    }

    /// <summary>
    /// Turns one probe into lag. With the primary's position: caught up means zero, however long ago the last write
    /// was; otherwise the time since the primary was first seen beyond the replay position. Without it (primary down):
    /// zero if everything received is replayed, else the time since the last replayed commit.
    /// </summary>
    private ReplicaHealth Assess(NpgsqlLogSequenceNumber? received, NpgsqlLogSequenceNumber? replayed, TimeSpan? sinceLastReplay, NpgsqlLogSequenceNumber? primaryPosition)
    {
        if (replayed is not { } replay)
        {
            return new ReplicaHealth(true, true, null, null, null);
        }

        var timestampLag = sinceLastReplay is { } since && since > TimeSpan.Zero ? since : TimeSpan.Zero;
        if (primaryPosition is not { } primary)
        {
            var lag = received is { } receive && replay >= receive ? TimeSpan.Zero : sinceLastReplay is null ? (TimeSpan?)null : timestampLag;
            return new ReplicaHealth(true, true, replay, lag, null);
        }

        if (replay >= primary)
        {
            return new ReplicaHealth(true, true, replay, TimeSpan.Zero, 0);
        }

        var bytes = (long)((ulong)primary - (ulong)replay);
        var behindFor = _history.BehindFor(replay, _servers.TimeProvider.GetUtcNow(), out var sinceKnown);
        // When the history does not reach back to a position the replica had, the replay timestamp bounds the lag.
        TimeSpan? timeLag = sinceKnown ? behindFor
            : sinceLastReplay is null ? null
            : timestampLag > behindFor ? timestampLag : behindFor;
        return new ReplicaHealth(true, true, replay, timeLag, bytes);
    }

    /// <summary>
    /// A replica that left recovery was promoted. It serves reads (at its own current position, with no lag) when the
    /// primary is unreachable or the primary's data source now reaches this very server (a multi-host primary that
    /// followed the failover). A promoted server beside a primary that still answers elsewhere is a split brain, or
    /// not a standby at all, and is excluded.
    /// </summary>
    private static ReplicaHealth AssessNotInRecovery(NpgsqlLogSequenceNumber current, NpgsqlLogSequenceNumber? replayed, string? identity, PrimaryProbeResult? primary)
    {
        var promoted = primary is null || (identity is not null && identity == primary.Identity);
        return promoted
            ? new ReplicaHealth(true, false, current, TimeSpan.Zero, 0, Promoted: true)
            : new ReplicaHealth(true, false, replayed, null, null);
    }

    private sealed record PrimaryProbeResult(NpgsqlLogSequenceNumber Position, string? Identity);

    // Real time on purpose: a network timeout must fire even when tests drive the probe interval with a fake clock.
    private CancellationTokenSource Timeout(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_servers.Options.ProbeTimeout);
        return timeout;
    }
}
