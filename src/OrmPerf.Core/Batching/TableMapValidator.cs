using Npgsql;

namespace OrmPerf.Batching;

/// <summary>Checks a <see cref="TableMap{T}"/> against the catalog of the real table before anything is written.</summary>
internal static class TableMapValidator
{
    private const string ColumnsSql = """
        SELECT a.attname, t.typname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> ''
        FROM pg_attribute a
        JOIN pg_type t0 ON t0.oid = a.atttypid
        JOIN pg_type t ON t.oid = CASE WHEN t0.typtype = 'd' THEN t0.typbasetype ELSE t0.oid END
        WHERE a.attrelid = @table::regclass AND a.attnum > 0 AND NOT a.attisdropped
        """;

    private const string UniqueKeysSql = """
        SELECT ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey))
        FROM pg_index i
        WHERE i.indrelid = @table::regclass AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
        """;

    /// <summary>Throws <see cref="TableMapMismatchException"/> listing every problem; returns when the map fits.</summary>
    public static async Task ValidateAsync<T>(NpgsqlConnection connection, TableMap<T> map, bool keysRequired, CancellationToken cancellationToken)
    {
        var exists = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL", connection);
        await using (exists.ConfigureAwait(false))
        {
            exists.Parameters.AddWithValue("table", map.QualifiedName);
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                throw new TableMapMismatchException(map.DisplayName, [$"table {map.DisplayName} does not exist (looked up as {map.QualifiedName})"]);
            }
        }

        var actual = new Dictionary<string, (string TypeName, string Display, bool NotNull, bool HasDefault)>(StringComparer.Ordinal);
        var columns = new NpgsqlCommand(ColumnsSql, connection);
        await using (columns.ConfigureAwait(false))
        {
            columns.Parameters.AddWithValue("table", map.QualifiedName);
            var reader = await columns.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                actual[reader.GetString(0)] = (reader.GetString(1), reader.GetString(2), reader.GetBoolean(3), reader.GetBoolean(4));
            }
        }

        var problems = new List<string>();
        foreach (var column in map.Columns)
        {
            if (!actual.TryGetValue(column.Name, out var found))
            {
                problems.Add($"column '{column.Name}' (from {typeof(T).Name}.{column.Member}, {column.ClrType.Name} as {column.DbType}) does not exist in {map.DisplayName}; its columns are {string.Join(", ", actual.Keys)}");
            }
            else if (!PostgresTypes.Accepts(found.TypeName, column.DbType))
            {
                problems.Add($"column '{column.Name}' of {map.DisplayName} has type {found.Display}, which cannot take {typeof(T).Name}.{column.Member} ({column.ClrType.Name} written as {column.DbType})");
            }
        }

        foreach (var (name, column) in actual)
        {
            if (column.NotNull && !column.HasDefault && map.Columns.All(c => c.Name != name))
            {
                problems.Add($"column '{name}' of {map.DisplayName} ({column.Display}) is NOT NULL without a default, but is not mapped");
            }
        }

        if (map.GeneratedKey is { } key && actual.ContainsKey(key.Column))
        {
            if (await KeySequence.FindAsync(connection, null, map.QualifiedName, key.Column, cancellationToken).ConfigureAwait(false) is null)
            {
                problems.Add($"column '{key.Column}' of {map.DisplayName} holds the generated key of {typeof(T).Name}.{key.Member}, but no sequence fills it; declare it serial, bigserial, GENERATED ... AS IDENTITY or DEFAULT nextval('a_sequence')");
            }
        }

        if (map.GeneratedKey is not null && keysRequired)
        {
            // Each upserted row finds its stored row, and so its key, by the upsert key; NULL never equals anything.
            foreach (var nullable in map.KeyColumns.Where(k => actual.TryGetValue(k, out var column) && !column.NotNull))
            {
                problems.Add($"key column '{nullable}' of {map.DisplayName} allows NULL; an upsert that reports generated keys finds each row's stored row by its key, so every key column must be NOT NULL");
            }
        }

        if (map.KeyColumns.Count > 0 || keysRequired)
        {
            await CheckKeysAsync(connection, map, problems, cancellationToken).ConfigureAwait(false);
        }

        if (problems.Count > 0)
        {
            throw new TableMapMismatchException(map.DisplayName, problems);
        }
    }

    private static async Task CheckKeysAsync<T>(NpgsqlConnection connection, TableMap<T> map, List<string> problems, CancellationToken cancellationToken)
    {
        if (map.KeyColumns.Count == 0)
        {
            problems.Add($"upserts into {map.DisplayName} need key columns; call Key(...) on the map");
            return;
        }

        var uniqueKeys = new List<string[]>();
        var command = new NpgsqlCommand(UniqueKeysSql, connection);
        await using var commandDisposal = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("table", map.QualifiedName);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            uniqueKeys.Add(reader.GetFieldValue<string[]>(0));
        }

        if (!uniqueKeys.Any(k => k.Length == map.KeyColumns.Count && k.All(map.KeyColumns.Contains)))
        {
            var existing = uniqueKeys.Count == 0 ? "none" : string.Join("; ", uniqueKeys.Select(k => "(" + string.Join(", ", k) + ")"));
            problems.Add($"key ({string.Join(", ", map.KeyColumns)}) of {map.DisplayName} matches no primary key or unique index; unique keys: {existing}");
        }
    }
}
