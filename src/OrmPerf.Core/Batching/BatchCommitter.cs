using System.Buffers;
using Npgsql;
using NpgsqlTypes;
using OrmPerf.Consistency;
using OrmPerf.Sql;
using Polly;

namespace OrmPerf.Batching;

/// <summary>
/// Writes one batch in one transaction (binary COPY, or COPY into a temporary table and a merge), retrying transient
/// errors through the given pipeline. A commit whose acknowledgement was lost is resolved with <c>txid_status</c>
/// before the batch is written again, so a retry never duplicates rows; when the server recovered from a crash
/// meanwhile, a "committed" answer may belong to another transaction under a reused id: it is taken only when the id
/// is below the first one handed out after the recovery, else the batch is given up as in doubt (<see cref="UnansweredCommit"/>). When the map has a generated key: in
/// <see cref="WriteMode.Insert"/>, rows still without one get theirs from the sequence inside the transaction, and a
/// retry or a split keeps the keys already given; in an upsert, the key column is left to the table and, after the
/// merge, each row is found again by its upsert key and given the key it is stored under, new or existing.
/// Thread-safe; batches may run concurrently.
/// </summary>
internal sealed class BatchCommitter<T>
{
    private const string StagingTable = "pg_temp.ormperf_batch";
    private const string RowOrdinal = "ormperf_row";
    private const int CopyChunk = 64 * 1024;

    private readonly NpgsqlDataSource _dataSource;
    private readonly TableMap<T> _map;
    private readonly ResiliencePipeline _retry;
    private readonly TimeProvider _timeProvider;
    private readonly string _beginSql;
    private readonly string _copySql;
    private readonly string? _mergeSql;
    private readonly string _smallBatchSql;
    private readonly int _smallBatchLimit;
    private readonly int[] _written;
    private readonly bool _upsertReportsKeys;
    private readonly string? _storedKeysSql;
    private readonly bool _reportsPosition;
    private readonly bool _encodesRows;
    private string? _allocateKeysSql;

    // reportsPosition: whether CommitAsync learns each commit's WAL position (read replicas are configured).
    public BatchCommitter(NpgsqlDataSource dataSource, TableMap<T> map, WriteMode mode, int smallBatchLimit, ResiliencePipeline retry, TimeProvider timeProvider, bool reportsPosition = false)
    {
        _reportsPosition = reportsPosition;
        _timeProvider = timeProvider;
        _dataSource = dataSource;
        _map = map;
        _retry = retry;
        _smallBatchLimit = smallBatchLimit;
        _upsertReportsKeys = mode != WriteMode.Insert && map.GeneratedKey is not null;
        // An upsert leaves the generated key to the table: a new row gets it from the column's default, an existing row
        // keeps its own. Every other mode writes every mapped column.
        _written = Enumerable.Range(0, map.Columns.Count).Where(i => !_upsertReportsKeys || map.Columns[i].Name != map.GeneratedKeyColumn).ToArray();
        _encodesRows = _written.All(i => map.Columns[i].IsEncodable);
        var columnList = string.Join(", ", _written.Select(i => SqlIdentifier.Escape(map.Columns[i].Name)));
        var onConflict = OnConflictClause(map, mode);
        var arrays = string.Join(", ", _written.Select(i => "@c" + i));

        // Generated keys are drawn before the insert, so an identity column GENERATED ALWAYS must take them too.
        var overriding = mode == WriteMode.Insert && map.GeneratedKey is not null ? " OVERRIDING SYSTEM VALUE" : "";

        // Below the limit one statement beats COPY's extra round trips (and, for upserts, the temporary table).
        _smallBatchSql = $"{UnansweredCommit.Sql}; INSERT INTO {map.QualifiedName} ({columnList}){overriding} SELECT * FROM unnest({arrays}){onConflict}";
        if (mode == WriteMode.Insert)
        {
            _beginSql = UnansweredCommit.Sql;
            _copySql = $"COPY {map.QualifiedName} ({columnList}) FROM STDIN (FORMAT BINARY)";
            return;
        }

        // ON COMMIT DROP: the staging table lives exactly as long as the batch's transaction, on whatever pooled
        // connection. When the upsert reports keys, each staged row carries its index in the batch.
        var ordinal = _upsertReportsKeys ? $", 0::bigint AS {RowOrdinal}" : "";
        _beginSql = $"CREATE TEMP TABLE {StagingTable} ON COMMIT DROP AS SELECT {columnList}{ordinal} FROM {map.QualifiedName} WITH NO DATA; {UnansweredCommit.Sql}";
        _copySql = $"COPY {StagingTable} ({columnList}{(_upsertReportsKeys ? ", " + RowOrdinal : "")}) FROM STDIN (FORMAT BINARY)";
        _mergeSql = $"INSERT INTO {map.QualifiedName} ({columnList}) SELECT {columnList} FROM {StagingTable}{onConflict}";
        if (map.GeneratedKey is { } key)
        {
            // After the merge every row's key exists in the table, inserted or not: the stored row is found by the key,
            // and each (index in the batch, stored key) pair comes back. A small batch joins its own key arrays, already
            // bound for its INSERT, in the same command.
            var storedKey = $"target.{SqlIdentifier.Escape(key.Column)}";
            var keyIndexes = map.KeyColumns.Select(k => Enumerable.Range(0, map.Columns.Count).Single(i => map.Columns[i].Name == k)).ToArray();
            var keyColumns = keyIndexes.Select(i => SqlIdentifier.Escape(map.Columns[i].Name)).ToArray();
            _storedKeysSql = $"SELECT staged.{RowOrdinal}, {storedKey} FROM {StagingTable} staged JOIN {map.QualifiedName} target ON "
                + string.Join(" AND ", keyColumns.Select(c => $"target.{c} = staged.{c}"));
            _smallBatchSql += $"; SELECT batch.ordinality - 1, {storedKey} FROM unnest({string.Join(", ", keyIndexes.Select(i => "@c" + i))}) WITH ORDINALITY "
                + $"AS batch({string.Join(", ", keyIndexes.Select(i => "k" + i))}, ordinality) JOIN {map.QualifiedName} target ON "
                + string.Join(" AND ", keyIndexes.Select((i, n) => $"target.{keyColumns[n]} = batch.k{i}"));
        }
    }

    /// <summary>
    /// Commits <paramref name="rows"/> in one transaction, or throws the error that stopped it (after retries). Returns
    /// the commit's WAL position when it reports positions (in the commit's round trip), else <see langword="default"/>
    /// (also when an attempt whose acknowledgement was lost turned out committed).
    /// </summary>
    public async Task<NpgsqlLogSequenceNumber> CommitAsync(ArraySegment<T> rows, CancellationToken cancellationToken)
    {
        UnansweredCommit? committing = null;
        NpgsqlLogSequenceNumber position = default;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(BatchRetryPipeline.Started, _timeProvider.GetTimestamp());
        try
        {
            await _retry.ExecuteAsync(attempt => new ValueTask(AttemptAsync(attempt.CancellationToken)), context).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        return position;

        async Task AttemptAsync(CancellationToken token)
        {
            if (committing is { } previous)
            {
                if (await IsCommittedAsync(previous, token).ConfigureAwait(false))
                {
                    return;
                }

                committing = null;
            }

            var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
            await using var transactionDisposal = transaction.ConfigureAwait(false);
            if (_map.GeneratedKey is { } key && !_upsertReportsKeys)
            {
                await AssignKeysAsync(connection, transaction, key, rows, token).ConfigureAwait(false);
            }

            committing = rows.Count <= _smallBatchLimit
                ? await InsertSmallBatchAsync(connection, transaction, rows, token).ConfigureAwait(false)
                : await CopyBatchAsync(connection, transaction, rows, token).ConfigureAwait(false);
            if (_reportsPosition)
            {
                position = await CommitPosition.CommitAsync(connection, transaction, token).ConfigureAwait(false);
            }
            else
            {
                await transaction.CommitAsync(token).ConfigureAwait(false);
            }

            committing = null;
        }
    }

    // One nextval per row, the only way to be sure of the values: a block reserved by setval could overlap with the
    // keys other sessions draw meanwhile. The sequence is looked up once, as an oid, so its name is never spliced in.
    private async Task AssignKeysAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, GeneratedKeyMap<T> key, ArraySegment<T> rows, CancellationToken cancellationToken)
    {
        var unset = 0;
        foreach (var row in rows)
        {
            unset += key.IsUnset(row) ? 1 : 0;
        }

        if (unset == 0)
        {
            return;
        }

        if (_allocateKeysSql is null)
        {
            var sequence = await KeySequence.FindAsync(connection, transaction, _map.QualifiedName, key.Column, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Column '{key.Column}' of {_map.DisplayName} is a generated key but no sequence fills it.");
            _allocateKeysSql = $"SELECT array(SELECT nextval({sequence}::regclass) FROM generate_series(1, @count))";
        }

        var allocate = new NpgsqlCommand(_allocateKeysSql, connection, transaction);
        await using var allocateDisposal = allocate.ConfigureAwait(false);
        allocate.Parameters.AddWithValue("count", unset);
        var values = (long[])(await allocate.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        var next = 0;
        foreach (var row in rows)
        {
            if (key.IsUnset(row))
            {
                key.Assign(row, values[next++]);
            }
        }
    }

    // An upsert's rows learn the keys they are stored under, new or existing, before the batch commits; a retry reads
    // them again, so a row never keeps a key from an attempt that was rolled back (unless the whole batch fails).
    private async Task AssignStoredKeysAsync(NpgsqlDataReader reader, ArraySegment<T> rows, CancellationToken cancellationToken)
    {
        var key = _map.GeneratedKey!;
        var found = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            key.Assign(rows[(int)reader.GetInt64(0)], reader.GetInt64(1));
            found++;
        }

        if (found != rows.Count)
        {
            throw new InvalidOperationException(
                $"{rows.Count - found} of {rows.Count} rows upserted into {_map.DisplayName} were not found again by their key ({string.Join(", ", _map.KeyColumns)}), so their generated keys are unknown.");
        }
    }

    private static string OnConflictClause(TableMap<T> map, WriteMode mode)
    {
        if (mode == WriteMode.Insert)
        {
            return "";
        }

        var keys = string.Join(", ", map.KeyColumns.Select(SqlIdentifier.Escape));
        var updates = map.Columns.Where(c => !map.KeyColumns.Contains(c.Name) && c.Name != map.GeneratedKeyColumn)
            .Select(c => $"{SqlIdentifier.Escape(c.Name)} = EXCLUDED.{SqlIdentifier.Escape(c.Name)}").ToList();
        var action = mode == WriteMode.Upsert && updates.Count > 0 ? "DO UPDATE SET " + string.Join(", ", updates) : "DO NOTHING";
        return $" ON CONFLICT ({keys}) {action}";
    }

    private async Task<UnansweredCommit> InsertSmallBatchAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ArraySegment<T> rows, CancellationToken cancellationToken)
    {
        var insert = new NpgsqlCommand(_smallBatchSql, connection, transaction);
        await using var insertDisposal = insert.ConfigureAwait(false);
        foreach (var i in _written)
        {
            insert.Parameters.Add(_map.Columns[i].ToArrayParameter("c" + i, rows, (index, e) => UnwritableRowException.For(_map, _map.Columns[i], index, e)));
        }

        NpgsqlDataReader reader;
        try
        {
            reader = await insert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (UnwritableRowException.IsCausedByRow(e))
        {
            // Npgsql encodes a whole array at once and does not say which element it could not take: the flusher bisects.
            throw UnwritableRowException.For(_map, null, -1, e);
        }

        await using var readerDisposal = reader.ConfigureAwait(false);
        var unanswered = await ReadUnansweredCommitAsync(reader, cancellationToken).ConfigureAwait(false);
        // On to the INSERT's outcome (a refused row throws here), then, for an upsert, to its stored keys.
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        if (_upsertReportsKeys)
        {
            await AssignStoredKeysAsync(reader, rows, cancellationToken).ConfigureAwait(false);
        }

        return unanswered;
    }

    private static async Task<UnansweredCommit> ReadUnansweredCommitAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetDateTime(1));
    }

    private async Task<UnansweredCommit> CopyBatchAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ArraySegment<T> rows, CancellationToken cancellationToken)
    {
        UnansweredCommit unanswered;
        var begin = new NpgsqlCommand(_beginSql, connection, transaction);
        await using (begin.ConfigureAwait(false))
        {
            var reader = await begin.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            unanswered = await ReadUnansweredCommitAsync(reader, cancellationToken).ConfigureAwait(false);
        }

        await CopyAsync(connection, rows, cancellationToken).ConfigureAwait(false);
        if (_mergeSql is not null)
        {
            var merge = new NpgsqlCommand(_mergeSql, connection, transaction);
            await using var mergeDisposal = merge.ConfigureAwait(false);
            await merge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_upsertReportsKeys)
        {
            var stored = new NpgsqlCommand(_storedKeysSql, connection, transaction);
            await using var storedDisposal = stored.ConfigureAwait(false);
            var reader = await stored.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            await AssignStoredKeysAsync(reader, rows, cancellationToken).ConfigureAwait(false);
        }

        return unanswered;
    }

    private async Task CopyAsync(NpgsqlConnection connection, ArraySegment<T> rows, CancellationToken cancellationToken)
    {
        if (_encodesRows)
        {
            await CopyEncodedAsync(connection, rows, cancellationToken).ConfigureAwait(false);
            return;
        }

        var columns = _map.Columns;
        var importer = await connection.BeginBinaryImportAsync(_copySql, cancellationToken).ConfigureAwait(false);
        await using var importerDisposal = importer.ConfigureAwait(false);
        for (var index = 0; index < rows.Count; index++)
        {
            var row = rows[index];
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            foreach (var i in _written)
            {
                try
                {
                    await columns[i].WriteAsync(importer, row, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (UnwritableRowException.IsCausedByRow(e))
                {
                    // The COPY is abandoned with the transaction; the flusher sets this row aside and writes the others.
                    throw UnwritableRowException.For(_map, columns[i], index, e);
                }
            }

            if (_upsertReportsKeys)
            {
                await importer.WriteAsync((long)index, NpgsqlTypes.NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            }
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    // Every column has an encoder of its own: rows are encoded into one buffer, sent in chunks of CopyChunk bytes or
    // more (a row that does not fit in an empty buffer gets a bigger one), with no per-value call into Npgsql.
    private async Task CopyEncodedAsync(NpgsqlConnection connection, ArraySegment<T> rows, CancellationToken cancellationToken)
    {
        var copy = await connection.BeginRawBinaryCopyAsync(_copySql, cancellationToken).ConfigureAwait(false);
        await using var copyDisposal = copy.ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyChunk);
        try
        {
            BinaryCopyEncoding.Header.CopyTo(buffer);
            var used = BinaryCopyEncoding.Header.Length;
            for (var index = 0; index <= rows.Count; index++)
            {
                // Each turn encodes one row, flushing the buffer first when it is full; the last turn writes the trailer.
                int length;
                while ((length = index < rows.Count ? EncodeRow(rows[index], index, buffer.AsSpan(used)) : BinaryCopyEncoding.TryEnd(buffer.AsSpan(used)) ? 2 : -1) < 0)
                {
                    if (used == 0)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                        continue;
                    }

                    await copy.WriteAsync(buffer.AsMemory(0, used), cancellationToken).ConfigureAwait(false);
                    used = 0;
                }

                used += length;
            }

            await copy.WriteAsync(buffer.AsMemory(0, used), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The server discards what it received and the transaction rolls back as the error goes up; a cancel that
            // fails too (the connection broke) must not hide the error that stopped the COPY.
            await copy.CancelAsync().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        await copy.DisposeAsync().ConfigureAwait(false); // ends the COPY; a row the server refused throws here
    }

    // One row (field count, then each written column, then the batch index an upsert that reports keys stages) at the
    // start of destination; the bytes written, or -1 when the row does not fit.
    private int EncodeRow(T row, int index, Span<byte> destination)
    {
        if (!BinaryCopyEncoding.TryStartRow((short)(_written.Length + (_upsertReportsKeys ? 1 : 0)), destination))
        {
            return -1;
        }

        var used = 2;
        foreach (var i in _written)
        {
            int length;
            try
            {
                length = _map.Columns[i].Encode(row, destination[used..]);
            }
            catch (Exception e) when (UnwritableRowException.IsCausedByRow(e))
            {
                throw UnwritableRowException.For(_map, _map.Columns[i], index, e);
            }

            if (length < 0)
            {
                return -1;
            }

            used += length;
        }

        if (_upsertReportsKeys)
        {
            var length = BinaryCopyEncoding.Int64(index, destination[used..]);
            if (length < 0)
            {
                return -1;
            }

            used += length;
        }

        return used;
    }

    private async Task<bool> IsCommittedAsync(UnansweredCommit unanswered, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        try
        {
            try
            {
                return await AskAsync(UnansweredCommit.StatusSql).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedColumn)
            {
                return await AskAsync(UnansweredCommit.PlainStatusSql).ConfigureAwait(false);
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidParameterValue)
        {
            // "transaction ID … is in the future": a server back from a crash has not handed the id out again yet, and
            // nothing under it committed.
            return false;
        }

        async Task<bool> AskAsync(string sql)
        {
            var status = new NpgsqlCommand(sql, connection);
            await using var statusDisposal = status.ConfigureAwait(false);
            status.Parameters.AddWithValue("id", unanswered.TransactionId);
            var reader = await status.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return unanswered.IsCommitted(
                reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetDateTime(1), reader.IsDBNull(2) ? null : reader.GetInt64(2));
        }
    }
}
