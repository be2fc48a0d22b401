using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using OrmPerf.Routing.Diagnostics;

namespace OrmPerf.Routing.Health;

/// <summary>
/// The hosted service that probes the primary's WAL position and every replica each
/// <see cref="Options.ReadReplicaOptions.ProbeInterval"/> (on the injected <see cref="TimeProvider"/>): reachable,
/// still a standby, replay position, lag. An unreachable replica is marked down; a reachable one that was marked down
/// is put back. One probe loop per container; probes of the replicas run in parallel.
/// </summary>
internal sealed class ReplicaHealthMonitor : BackgroundService
{
    private const string ReplicaProbe =
        "SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), now() - pg_last_xact_replay_timestamp()";

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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_servers.Replicas.Count == 0)
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
        var primaryPosition = await ProbePrimaryAsync(cancellationToken).ConfigureAwait(false);
        if (primaryPosition is { } position)
        {
            _history.Record(_servers.TimeProvider.GetUtcNow(), position);
        }

        await Task.WhenAll(_servers.Replicas.Select(replica => ProbeAsync(replica, primaryPosition, cancellationToken))).ConfigureAwait(false);
    }

    private async Task<NpgsqlLogSequenceNumber?> ProbePrimaryAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = Timeout(cancellationToken);
            var connection = await DataSourceOpening.OpenAsync(_servers.Primary, timeout.Token).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var command = new NpgsqlCommand("SELECT pg_current_wal_lsn()", connection);
            await using var commandDisposal = command.ConfigureAwait(false);
            return (NpgsqlLogSequenceNumber)(await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false))!;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Log.PrimaryProbeFailed(_logger, e.Message);
            return null;
        }
    }

    private async Task ProbeAsync(Replica replica, NpgsqlLogSequenceNumber? primaryPosition, CancellationToken cancellationToken)
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
            health = Assess(
                inRecovery: reader.GetBoolean(0),
                received: reader.IsDBNull(1) ? null : reader.GetFieldValue<NpgsqlLogSequenceNumber>(1),
                replayed: reader.IsDBNull(2) ? null : reader.GetFieldValue<NpgsqlLogSequenceNumber>(2),
                sinceLastReplay: reader.IsDBNull(3) ? null : reader.GetFieldValue<TimeSpan>(3),
                primaryPosition);
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

        if (!health.InRecovery && replica.Health?.InRecovery != false)
        {
            Log.NotInRecovery(_logger, replica.Name);
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
    private ReplicaHealth Assess(bool inRecovery, NpgsqlLogSequenceNumber? received, NpgsqlLogSequenceNumber? replayed, TimeSpan? sinceLastReplay, NpgsqlLogSequenceNumber? primaryPosition)
    {
        if (!inRecovery || replayed is not { } replay)
        {
            return new ReplicaHealth(true, inRecovery, replayed, null, null);
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

    // Real time on purpose: a network timeout must fire even when tests drive the probe interval with a fake clock.
    private CancellationTokenSource Timeout(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_servers.Options.ProbeTimeout);
        return timeout;
    }
}
