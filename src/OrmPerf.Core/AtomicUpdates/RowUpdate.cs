using System.Data.Common;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using OrmPerf.Consistency;
using OrmPerf.Sql;

namespace OrmPerf.AtomicUpdates;

/// <summary>
/// Updates chosen columns of one row by key in a single <c>UPDATE</c> statement — set values, increments
/// (<c>hits = hits + 1</c>) and <c>jsonb_set</c> paths — instead of reading the row, changing it in memory and writing it
/// back, which loses concurrent writers' changes. Optionally guarded by a version column (optimistic concurrency).
/// Every identifier is validated and quoted; values are parameters.
/// </summary>
/// <example><code>
/// var result = await RowUpdate.Of("users", "id", userId)
///     .Set("last_login", now)
///     .SetJsonPath("settings", ["theme"], "\"dark\"")
///     .WithVersion("version", expectedVersion)
///     .ThrowWhenNoRowChanged()
///     .ExecuteAsync(connection);
/// </code></example>
/// <remarks>
/// <para>A builder for one update: not thread-safe; it may be executed more than once.</para>
/// <para>On a connection from a routed write data source (<c>IConnectionRouter.WriteDataSource</c>, with read replicas)
/// and without a transaction, the update reports its commit: the WAL position is read in the update's own round trip
/// (the update and <c>SELECT pg_current_wal_insert_lsn()</c> in one batch, the update committed before the select), and
/// the scope's consistency token and the query cache's invalidation of the table carry it; no invalidation call is needed.
/// Inside a transaction you commit, the scope still counts the write (the connection is noted), but the cache is not told.</para>
/// </remarks>
public sealed class RowUpdate
{
    private readonly string _table;
    private readonly string _rawTable;
    private readonly string _keyColumn;
    private readonly object _key;
    private readonly List<string> _assignments = [];
    private readonly DynamicParameters _parameters = new();
    // The same values as Npgsql parameters take them, for the batch that also reads the commit position.
    private readonly List<(string Name, object? Value)> _values = [];
    private string? _versionColumn;
    private long _expectedVersion;
    private bool _throwWhenUnchanged;

    private RowUpdate(string table, string keyColumn, object key)
    {
        _rawTable = table;
        _table = SqlIdentifier.QuoteQualified(table, nameof(table));
        _keyColumn = SqlIdentifier.Quote(keyColumn, nameof(keyColumn));
        _key = key ?? throw new ArgumentNullException(nameof(key));
        AddParameter("key", key);
    }

    /// <summary>Starts an update of the row of <paramref name="table"/> whose <paramref name="keyColumn"/> equals <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">A name is not a valid SQL name.</exception>
    public static RowUpdate Of(string table, string keyColumn, object key) => new(table, keyColumn, key);

    /// <summary>Sets <paramref name="column"/> to <paramref name="value"/>.</summary>
    public RowUpdate Set(string column, object? value) =>
        Assign(name => SqlIdentifier.Quote(column, nameof(column)) + " = @" + name, value);

    /// <summary>Adds <paramref name="delta"/> to <paramref name="column"/> in the database, so concurrent increments all count.</summary>
    public RowUpdate Increment(string column, long delta = 1)
    {
        var quoted = SqlIdentifier.Quote(column, nameof(column));
        return Assign(name => $"{quoted} = {quoted} + @{name}", delta);
    }

    /// <summary>
    /// Sets the value at <paramref name="path"/> inside the <c>jsonb</c> <paramref name="column"/> (<c>jsonb_set</c>,
    /// creating the last key if missing but not its parents; a null column is treated as <c>{}</c>), leaving the rest of the document as it is.
    /// </summary>
    /// <param name="column">The jsonb column.</param>
    /// <param name="path">Keys (or array indexes as text) from the root to the value.</param>
    /// <param name="json">The new value as JSON text, e.g. <c>"\"dark\""</c>, <c>42</c> or <c>{"a": 1}</c>.</param>
    public RowUpdate SetJsonPath(string column, IReadOnlyList<string> path, string json)
    {
        var quoted = SqlIdentifier.Quote(column, nameof(column));
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(json);
        if (path.Count == 0)
        {
            throw new ArgumentException($"The JSON path in column '{column}' needs at least one key; use Set to replace the whole document.", nameof(path));
        }

        var pathName = "p" + _parameters.ParameterNames.Count();
        AddParameter(pathName, path.ToArray());
        return Assign(name => $"{quoted} = jsonb_set(COALESCE({quoted}, '{{}}'::jsonb), @{pathName}, @{name}::jsonb, true)", json);
    }

    /// <summary>
    /// Updates only if <paramref name="versionColumn"/> still equals <paramref name="expectedVersion"/>, and increments it;
    /// <see cref="RowUpdateResult.NewVersion"/> returns the new value.
    /// </summary>
    public RowUpdate WithVersion(string versionColumn, long expectedVersion)
    {
        _versionColumn = SqlIdentifier.Quote(versionColumn, nameof(versionColumn));
        _expectedVersion = expectedVersion;
        AddParameter("expected_version", expectedVersion);
        return this;
    }

    /// <summary>Throw <see cref="RowNotUpdatedException"/> instead of returning <c>Changed = false</c>.</summary>
    public RowUpdate ThrowWhenNoRowChanged()
    {
        _throwWhenUnchanged = true;
        return this;
    }

    /// <summary>The statement, for logging or review; values stay in parameters.</summary>
    /// <exception cref="InvalidOperationException">Nothing to update.</exception>
    public string ToSql()
    {
        if (_assignments.Count == 0)
        {
            throw new InvalidOperationException($"The update of {_rawTable} sets no column: call Set, Increment or SetJsonPath first.");
        }

        var assignments = _versionColumn is null ? _assignments : [.. _assignments, $"{_versionColumn} = {_versionColumn} + 1"];
        var sql = $"UPDATE {_table} SET {string.Join(", ", assignments)} WHERE {_keyColumn} = @key";
        return _versionColumn is null ? sql : $"{sql} AND {_versionColumn} = @expected_version RETURNING {_versionColumn}";
    }

    /// <summary>Runs the update on <paramref name="connection"/> (opened by the caller), in <paramref name="transaction"/> if given.</summary>
    /// <exception cref="RowNotUpdatedException">No row changed and <see cref="ThrowWhenNoRowChanged"/> was called.</exception>
    public async Task<RowUpdateResult> ExecuteAsync(DbConnection connection, DbTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        RowUpdateResult result;
        // Only an update that commits by itself reports: in a transaction (yours, or an ambient one the connection
        // enlisted in) it commits later.
        if (transaction is null && connection is NpgsqlConnection routed && WriteScope.Of(connection) is { } scope && System.Transactions.Transaction.Current is null)
        {
            (result, var committedAt) = await ExecuteReportingPositionAsync(routed, cancellationToken).ConfigureAwait(false);
            if (result.Changed)
            {
                await scope.ReportAsync([_rawTable], committedAt, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (_versionColumn is null)
        {
            result = new RowUpdateResult(await connection.ExecuteAsync(Command(transaction, cancellationToken)).ConfigureAwait(false) > 0, null);
        }
        else
        {
            var version = await connection.ExecuteScalarAsync<long?>(Command(transaction, cancellationToken)).ConfigureAwait(false);
            result = new RowUpdateResult(version is not null, version);
        }

        if (!result.Changed && _throwWhenUnchanged)
        {
            throw new RowNotUpdatedException(_versionColumn is null
                ? $"No row of {_rawTable} has {_keyColumn} = {_key}."
                : $"No row of {_rawTable} has {_keyColumn} = {_key} and {_versionColumn} = {_expectedVersion}: it was deleted, or changed by someone else first (optimistic concurrency conflict).");
        }

        return result;
    }

    private CommandDefinition Command(DbTransaction? transaction, CancellationToken cancellationToken) =>
        new(ToSql(), _parameters, transaction, cancellationToken: cancellationToken);

    // One round trip: the update with an error barrier (a Sync, so it commits on its own) and the position after it.
    private async Task<(RowUpdateResult Result, NpgsqlLogSequenceNumber CommittedAt)> ExecuteReportingPositionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var update = new NpgsqlBatchCommand(ToSql()) { AppendErrorBarrier = true };
        foreach (var (name, value) in _values)
        {
            update.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
        }

        var batch = new NpgsqlBatch(connection) { BatchCommands = { update, new NpgsqlBatchCommand(CommitPosition.Sql) } };
        await using var batchDisposal = batch.ConfigureAwait(false);
        var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        long? version = null;
        if (_versionColumn is not null && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            version = reader.GetInt64(0);
        }

        var committedAt = await CommitPosition.ReadPositionAsync(reader, cancellationToken).ConfigureAwait(false);
        var result = _versionColumn is null ? new RowUpdateResult(update.RecordsAffected > 0, null) : new RowUpdateResult(version is not null, version);
        return (result, committedAt);
    }

    private RowUpdate Assign(Func<string, string> assignment, object? value)
    {
        var name = "p" + _parameters.ParameterNames.Count();
        var text = assignment(name);
        AddParameter(name, value);
        _assignments.Add(text);
        return this;
    }

    // Dapper sends an enum as its underlying number; the batch does the same.
    private void AddParameter(string name, object? value)
    {
        _parameters.Add(name, value);
        _values.Add((name, value is Enum e ? Convert.ChangeType(e, e.GetTypeCode(), System.Globalization.CultureInfo.InvariantCulture) : value));
    }
}
