using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrmPerf.Diagnostics;
using OrmPerf.Sql;

namespace OrmPerf.MaterializedViews;

/// <summary>
/// <see cref="IMaterializedViews"/> on PostgreSQL. Refresh bookkeeping lives in the table <c>ormperf_mv_refresh</c>,
/// created on first use in the connection's current schema (the first schema of its <c>search_path</c>).
/// Each refresh runs in one transaction that first takes a transaction-scoped advisory lock
/// (<c>pg_advisory_xact_lock</c>), so it is safe behind PgBouncer's transaction pooling. A scheduled tick is also
/// claimed in that table (<see cref="TryRefreshTickAsync"/>), so one instance refreshes it. Thread-safe.
/// </summary>
internal sealed class PostgresMaterializedViews : IMaterializedViews
{
    private const string Bookkeeping = "\"ormperf_mv_refresh\"";

    private const string DescribeSql = """
        SELECT n.nspname || '.' || c.relname AS "View", m.ispopulated AS "IsPopulated",
               EXISTS (SELECT 1 FROM pg_index i
                       WHERE i.indrelid = c.oid AND i.indisunique AND i.indisvalid
                         AND i.indpred IS NULL AND i.indexprs IS NULL) AS "HasUniqueIndex"
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_matviews m ON m.schemaname = n.nspname AND m.matviewname = c.relname
        WHERE c.oid = to_regclass(@name) AND c.relkind = 'm'
        """;

    // A view's rewrite rule depends on every relation its query reads; plain and materialized views are followed down
    // to the tables under them.
    private const string SourceTablesSql = """
        WITH RECURSIVE reads(oid) AS (
            SELECT d.refobjid
            FROM pg_rewrite r
            JOIN pg_depend d ON d.objid = r.oid AND d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
            WHERE r.ev_class = to_regclass(@name) AND d.refobjid <> r.ev_class
            UNION
            SELECT d.refobjid
            FROM reads
            JOIN pg_class c ON c.oid = reads.oid AND c.relkind IN ('v', 'm')
            JOIN pg_rewrite r ON r.ev_class = c.oid
            JOIN pg_depend d ON d.objid = r.oid AND d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
            WHERE d.refobjid <> c.oid)
        SELECT DISTINCT n.nspname || '.' || c.relname
        FROM reads
        JOIN pg_class c ON c.oid = reads.oid AND c.relkind IN ('r', 'p', 'f')
        JOIN pg_namespace n ON n.oid = c.relnamespace
        ORDER BY 1
        """;

    private readonly DbDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile bool _bookkeepingReady;

    /// <summary>Creates the service over a data source (the primary: refreshes write).</summary>
    public PostgresMaterializedViews(DbDataSource dataSource, TimeProvider timeProvider, ILogger<PostgresMaterializedViews>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _dataSource = dataSource;
        _time = timeProvider;
        _logger = logger ?? NullLogger<PostgresMaterializedViews>.Instance;
    }

    /// <inheritdoc />
    public async Task EnsureCreatedAsync(string name, string selectSql, IReadOnlyList<string> uniqueKeyColumns, CancellationToken cancellationToken = default)
    {
        var quoted = SqlIdentifier.QuoteQualified(name, nameof(name));
        ArgumentException.ThrowIfNullOrWhiteSpace(selectSql);
        ArgumentNullException.ThrowIfNull(uniqueKeyColumns);
        var keyList = SqlIdentifier.QuoteList(uniqueKeyColumns, nameof(uniqueKeyColumns));

        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@key)", new { key = MaterializedViewLockKey.Ddl }, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"CREATE MATERIALIZED VIEW IF NOT EXISTS {quoted} AS {selectSql} WITH DATA", null, cancellationToken).ConfigureAwait(false);
        if (uniqueKeyColumns.Count > 0)
        {
            var indexName = SqlIdentifier.Quote(UniqueIndexName(SqlIdentifier.Split(name).Name));
            await ExecuteAsync(connection, transaction, $"CREATE UNIQUE INDEX IF NOT EXISTS {indexName} ON {quoted} ({keyList})", null, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<MaterializedViewRefreshResult> RefreshAsync(string name, CancellationToken cancellationToken = default) =>
        RefreshCoreAsync(name, skipWhenBusy: false, tick: null, cancellationToken);

    /// <inheritdoc />
    public Task<MaterializedViewRefreshResult> TryRefreshAsync(string name, CancellationToken cancellationToken = default) =>
        RefreshCoreAsync(name, skipWhenBusy: true, tick: null, cancellationToken);

    /// <inheritdoc />
    public Task<MaterializedViewRefreshResult> TryRefreshTickAsync(string name, DateTimeOffset tick, CancellationToken cancellationToken = default) =>
        RefreshCoreAsync(name, skipWhenBusy: true, tick, cancellationToken);

    /// <inheritdoc />
    public async Task<MaterializedViewStatus> GetStatusAsync(string name, CancellationToken cancellationToken = default)
    {
        var quoted = SqlIdentifier.QuoteQualified(name, nameof(name));
        await EnsureBookkeepingAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var view = await DescribeAsync(connection, null, name, quoted, cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<BookkeepingRow>(new CommandDefinition(
            $"""
            SELECT started_at AS "StartedAt", finished_at AS "FinishedAt", row_count AS "Rows",
                   last_error AS "LastError", last_error_at AS "LastErrorAt"
            FROM {Bookkeeping} WHERE view_name = @view
            """,
            new { view = view.View }, cancellationToken: cancellationToken)).ConfigureAwait(false);

        var finished = row?.FinishedAt is { } f ? new DateTimeOffset(f, TimeSpan.Zero) : (DateTimeOffset?)null;
        var started = row?.StartedAt is { } s ? new DateTimeOffset(s, TimeSpan.Zero) : (DateTimeOffset?)null;
        return new MaterializedViewStatus(
            view.View,
            view.IsPopulated,
            view.IsPopulated && view.HasUniqueIndex,
            started,
            finished,
            finished - started,
            row?.Rows,
            finished is { } end ? _time.GetUtcNow() - end : null,
            row?.LastError,
            row?.LastErrorAt is { } e ? new DateTimeOffset(e, TimeSpan.Zero) : null);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> OrderBySourcesFirstAsync(IReadOnlyList<string> names, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count < 2)
        {
            return names;
        }

        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var resolved = new string[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            var quoted = SqlIdentifier.QuoteQualified(names[i], nameof(names));
            resolved[i] = (await DescribeAsync(connection, null, names[i], quoted, cancellationToken).ConfigureAwait(false)).View;
        }

        // Direct edges only: a view's rewrite rule depends on the relations its query reads.
        var edges = (await connection.QueryAsync<(string Dependent, string Source)>(new CommandDefinition(
            """
            SELECT DISTINCT dn.nspname || '.' || dc.relname, sn.nspname || '.' || sc.relname
            FROM pg_depend d
            JOIN pg_rewrite r ON r.oid = d.objid
            JOIN pg_class dc ON dc.oid = r.ev_class AND dc.relkind = 'm'
            JOIN pg_namespace dn ON dn.oid = dc.relnamespace
            JOIN pg_class sc ON sc.oid = d.refobjid AND sc.relkind = 'm'
            JOIN pg_namespace sn ON sn.oid = sc.relnamespace
            WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
              AND dc.oid <> sc.oid AND dn.nspname || '.' || dc.relname = ANY(@views)
            """,
            new { views = resolved }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();

        return DependencyOrder.SourcesFirst(names, resolved, edges);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> GetSourceTablesAsync(string name, CancellationToken cancellationToken = default)
    {
        var quoted = SqlIdentifier.QuoteQualified(name, nameof(name));
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        await DescribeAsync(connection, null, name, quoted, cancellationToken).ConfigureAwait(false);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            SourceTablesSql, new { name = quoted }, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
    }

    private async Task<MaterializedViewRefreshResult> RefreshCoreAsync(string name, bool skipWhenBusy, DateTimeOffset? tick, CancellationToken cancellationToken)
    {
        var quoted = SqlIdentifier.QuoteQualified(name, nameof(name));
        using var activity = MaterializedViewMetrics.StartRefresh(name);
        string? resolved = null;
        var startedAt = _time.GetUtcNow();
        try
        {
            await EnsureBookkeepingAsync(cancellationToken).ConfigureAwait(false);
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            resolved = (await DescribeAsync(connection, null, name, quoted, cancellationToken).ConfigureAwait(false)).View;
            if (tick is { } claimed && !await ClaimTickAsync(connection, resolved, claimed, cancellationToken).ConfigureAwait(false))
            {
                Log.MaterializedViewTickClaimedElsewhere(_logger, resolved, claimed);
                MaterializedViewMetrics.Record(activity, resolved, "skipped", null);
                return new MaterializedViewRefreshResult(resolved, MaterializedViewRefreshOutcome.Skipped, startedAt, TimeSpan.Zero, 0);
            }

            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var transactionDisposal = transaction.ConfigureAwait(false);
            var key = MaterializedViewLockKey.For(resolved);
            if (skipWhenBusy)
            {
                var acquired = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT pg_try_advisory_xact_lock(@key)", new { key }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                if (!acquired)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    Log.MaterializedViewRefreshSkipped(_logger, resolved);
                    MaterializedViewMetrics.Record(activity, resolved, "skipped", null);
                    return new MaterializedViewRefreshResult(resolved, MaterializedViewRefreshOutcome.Skipped, startedAt, TimeSpan.Zero, 0);
                }
            }
            else
            {
                await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@key)", new { key }, cancellationToken).ConfigureAwait(false);
            }

            // Described again under the lock: a refresh that just finished may have populated it.
            var view = await DescribeAsync(connection, transaction, name, quoted, cancellationToken).ConfigureAwait(false);
            var concurrently = view.IsPopulated && view.HasUniqueIndex;
            var outcome = concurrently ? MaterializedViewRefreshOutcome.Concurrently : MaterializedViewRefreshOutcome.Plain;

            startedAt = _time.GetUtcNow();
            var clock = _time.GetTimestamp();
            await ExecuteAsync(connection, transaction, $"REFRESH MATERIALIZED VIEW {(concurrently ? "CONCURRENTLY " : "")}{quoted}", null, cancellationToken).ConfigureAwait(false);
            var duration = _time.GetElapsedTime(clock);
            var rows = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT count(*) FROM {quoted}", transaction: transaction, commandTimeout: 0, cancellationToken: cancellationToken)).ConfigureAwait(false);

            await ExecuteAsync(connection, transaction,
                $"""
                INSERT INTO {Bookkeeping} (view_name, started_at, finished_at, row_count, mode, last_error, last_error_at)
                VALUES (@view, @started, @finished, @rows, @mode, NULL, NULL)
                ON CONFLICT (view_name) DO UPDATE SET started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at,
                    row_count = EXCLUDED.row_count, mode = EXCLUDED.mode, last_error = NULL, last_error_at = NULL
                """,
                new { view = resolved, started = startedAt.UtcDateTime, finished = (startedAt + duration).UtcDateTime, rows, mode = OutcomeName(outcome) },
                cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

            Log.MaterializedViewRefreshed(_logger, resolved, OutcomeName(outcome), duration.TotalMilliseconds, rows);
            MaterializedViewMetrics.Record(activity, resolved, OutcomeName(outcome), duration);
            return new MaterializedViewRefreshResult(resolved, outcome, startedAt, duration, rows);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            MaterializedViewMetrics.RecordFailure(activity, resolved ?? name, error);
            if (resolved is not null)
            {
                await RecordFailureAsync(resolved, error, cancellationToken).ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// Claims the tick for this instance: true when no instance had claimed it or a later one. One row per view, updated
    /// in place; a concurrent claim of the same tick waits for the row lock, then sees the tick taken.
    /// Committed on its own, before the refresh: a refresh that fails after the claim is retried at the next tick.
    /// </summary>
    private static async Task<bool> ClaimTickAsync(DbConnection connection, string resolved, DateTimeOffset tick, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            $"""
            INSERT INTO {Bookkeeping} AS b (view_name, claimed_tick) VALUES (@view, @tick)
            ON CONFLICT (view_name) DO UPDATE SET claimed_tick = EXCLUDED.claimed_tick
            WHERE b.claimed_tick IS NULL OR b.claimed_tick < EXCLUDED.claimed_tick
            RETURNING 1
            """,
            new { view = resolved, tick = tick.UtcDateTime }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;

    private async Task RecordFailureAsync(string resolved, Exception error, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            await ExecuteAsync(connection, null,
                $"""
                INSERT INTO {Bookkeeping} (view_name, last_error, last_error_at) VALUES (@view, @message, @at)
                ON CONFLICT (view_name) DO UPDATE SET last_error = EXCLUDED.last_error, last_error_at = EXCLUDED.last_error_at
                """,
                new { view = resolved, message = error.Message, at = _time.GetUtcNow().UtcDateTime }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception recordError) when (recordError is DbException or TimeoutException)
        {
            // The refresh's own error is what the caller needs; this one is only logged.
            Log.MaterializedViewFailureNotRecorded(_logger, recordError, resolved);
        }
    }

    private async Task EnsureBookkeepingAsync(CancellationToken cancellationToken)
    {
        if (_bookkeepingReady)
        {
            return;
        }

        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);
        // Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog, hence the lock.
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@key)", new { key = MaterializedViewLockKey.Ddl }, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction,
            $"""
            CREATE TABLE IF NOT EXISTS {Bookkeeping} (
                view_name text PRIMARY KEY,
                started_at timestamptz,
                finished_at timestamptz,
                row_count bigint,
                mode text,
                last_error text,
                last_error_at timestamptz,
                claimed_tick timestamptz);
            ALTER TABLE {Bookkeeping} ADD COLUMN IF NOT EXISTS claimed_tick timestamptz
            """,
            null, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _bookkeepingReady = true;
    }

    private static async Task<ViewDescription> DescribeAsync(DbConnection connection, DbTransaction? transaction, string name, string quoted, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<ViewDescription>(new CommandDefinition(
            DescribeSql, new { name = quoted }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)
        ?? throw new InvalidOperationException($"'{name}' is not a materialized view in this database (checked with the connection's search_path).");

    private static Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, object? parameters, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, commandTimeout: 0, cancellationToken: cancellationToken));

    private static string OutcomeName(MaterializedViewRefreshOutcome outcome) =>
        outcome == MaterializedViewRefreshOutcome.Concurrently ? "concurrently" : "plain";

    /// <summary><c>{view}_ormperf_key</c>, shortened with a stable hash when it would pass the identifier limit.</summary>
    internal static string UniqueIndexName(string viewName) => SqlIdentifier.Derive(viewName, "_ormperf_key");

    private sealed record ViewDescription(string View, bool IsPopulated, bool HasUniqueIndex);

    private sealed record BookkeepingRow(DateTime? StartedAt, DateTime? FinishedAt, long? Rows, string? LastError, DateTime? LastErrorAt);
}
