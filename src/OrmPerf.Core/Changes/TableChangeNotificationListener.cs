using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrmPerf.Diagnostics;
using OrmPerf.MaterializedViews;
using OrmPerf.Sql;

namespace OrmPerf.Changes;

/// <summary>
/// Holds one connection to the primary that <c>LISTEN</c>s on the change channel, and passes each notification's tables
/// (its payload, split at commas) to the <see cref="MaterializedViewChangeListener"/>. When the connection fails it
/// listens again after a delay and then reports a change to every view that refreshes on change, because writes made
/// while it was away were not heard. A connection through a pooler (PgBouncer) is refused: the listener stops with an
/// <see cref="InvalidOperationException"/> naming <see cref="TableChangeNotificationOptions.ConnectionString"/>.
/// </summary>
internal sealed class TableChangeNotificationListener : BackgroundService
{
    private readonly NpgsqlDataSource _primary;
    // Built when listening starts, not in the constructor, for a direct connection string; disposed with the listener.
    private NpgsqlDataSource? _ownDataSource;
    private readonly MaterializedViewChangeListener _listener;
    private readonly TableChangeNotificationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _listenSql;

    public TableChangeNotificationListener(
        NpgsqlDataSource dataSource, MaterializedViewChangeListener listener, TableChangeNotificationOptions options, TimeProvider time, ILogger<TableChangeNotificationListener> logger)
    {
        _primary = dataSource;
        _listener = listener;
        _options = options;
        _time = time;
        _logger = logger;
        _listenSql = "LISTEN " + SqlIdentifier.Quote(options.Channel);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dataSource = _options.ConnectionString is { } direct ? _ownDataSource = NpgsqlDataSource.Create(direct) : _primary;
        var missedSome = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ListenAsync(dataSource, missedSome, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception error) when (error is not PooledConnectionException && (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested))
                {
                    Log.TableChangeNotificationsInterrupted(_logger, error, _options.Channel, _options.ReconnectDelay);
                    missedSome = true;
                    await Task.Delay(_options.ReconnectDelay, _time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _ownDataSource?.Dispose();
    }

    private async Task ListenAsync(NpgsqlDataSource dataSource, bool missedSome, CancellationToken stoppingToken)
    {
        var connection = await dataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        await RefusePooledAsync(connection, stoppingToken).ConfigureAwait(false);
        var received = new List<string>();
        // Raised on this loop's thread while WaitAsync or a command reads from the connection.
        connection.Notification += (_, e) => received.Add(e.Payload);
        var listen = new NpgsqlCommand(_listenSql, connection);
        await using (listen.ConfigureAwait(false))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
        }

        Log.TableChangeNotificationsListening(_logger, _options.Channel);
        if (missedSome)
        {
            _listener.ReportAll();
        }

        while (true)
        {
            if (!await connection.WaitAsync(_options.KeepAliveInterval, stoppingToken).ConfigureAwait(false))
            {
                var ping = new NpgsqlCommand("SELECT 1", connection);
                await using var pingDisposal = ping.ConfigureAwait(false);
                await ping.ExecuteScalarAsync(stoppingToken).ConfigureAwait(false);
            }

            if (received.Count == 0)
            {
                continue;
            }

            var tables = received
                .SelectMany(payload => payload.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            received.Clear();
            if (tables.Count > 0)
            {
                await _listener.OnTablesChangedAsync(tables, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A pooler answers the start-up with a process id of its own, so a session that is not the server's own shows as a
    /// mismatch with <c>pg_backend_pid()</c>. Behind PgBouncer in transaction mode, <c>LISTEN</c> would run on one
    /// server session and later notifications arrive on others, never to this client: refused rather than silently deaf.
    /// </summary>
    private async Task RefusePooledAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        var pid = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        await using var pidDisposal = pid.ConfigureAwait(false);
        var serverPid = (int)(await pid.ExecuteScalarAsync(stoppingToken).ConfigureAwait(false))!;
        if (serverPid != connection.ProcessID)
        {
            throw new PooledConnectionException(
                $"Table-change notifications on channel '{_options.Channel}' need a direct connection to the primary, but " +
                $"{connection.Host}:{connection.Port} goes through a connection pooler (its process id {connection.ProcessID} is not the " +
                $"server's {serverPid}; PgBouncer?), where LISTEN loses notifications. Set " +
                $"{nameof(TableChangeNotificationOptions)}.{nameof(TableChangeNotificationOptions.ConnectionString)} to a direct connection string of the primary.");
        }
    }

    private sealed class PooledConnectionException(string message) : InvalidOperationException(message);
}
