using NpgsqlTypes;

namespace OrmPerf.Batching;

/// <summary>
/// Which <see cref="NpgsqlDbType"/> a CLR type is written as by default, and which PostgreSQL base types
/// (<c>pg_type.typname</c>) accept the binary form of each <see cref="NpgsqlDbType"/>. Binary COPY carries no type
/// oids, so this table is what stops a wrong mapping before the first row is sent.
/// </summary>
internal static class PostgresTypes
{
    private static readonly Dictionary<Type, NpgsqlDbType> DefaultByClrType = new()
    {
        [typeof(long)] = NpgsqlDbType.Bigint,
        [typeof(int)] = NpgsqlDbType.Integer,
        [typeof(short)] = NpgsqlDbType.Smallint,
        [typeof(string)] = NpgsqlDbType.Text,
        [typeof(decimal)] = NpgsqlDbType.Numeric,
        [typeof(double)] = NpgsqlDbType.Double,
        [typeof(float)] = NpgsqlDbType.Real,
        [typeof(bool)] = NpgsqlDbType.Boolean,
        [typeof(Guid)] = NpgsqlDbType.Uuid,
        [typeof(DateTime)] = NpgsqlDbType.TimestampTz,
        [typeof(DateTimeOffset)] = NpgsqlDbType.TimestampTz,
        [typeof(DateOnly)] = NpgsqlDbType.Date,
        [typeof(byte[])] = NpgsqlDbType.Bytea,
    };

    private static readonly string[] TextTypes = ["text", "varchar", "bpchar", "name"];

    private static readonly Dictionary<NpgsqlDbType, string[]> AcceptedTypeNames = new()
    {
        [NpgsqlDbType.Bigint] = ["int8"],
        [NpgsqlDbType.Integer] = ["int4"],
        [NpgsqlDbType.Smallint] = ["int2"],
        [NpgsqlDbType.Text] = TextTypes,
        [NpgsqlDbType.Varchar] = TextTypes,
        [NpgsqlDbType.Numeric] = ["numeric"],
        [NpgsqlDbType.Double] = ["float8"],
        [NpgsqlDbType.Real] = ["float4"],
        [NpgsqlDbType.Boolean] = ["bool"],
        [NpgsqlDbType.Uuid] = ["uuid"],
        [NpgsqlDbType.TimestampTz] = ["timestamptz"],
        [NpgsqlDbType.Timestamp] = ["timestamp"],
        [NpgsqlDbType.Date] = ["date"],
        [NpgsqlDbType.Bytea] = ["bytea"],
        [NpgsqlDbType.Jsonb] = ["jsonb"],
        [NpgsqlDbType.Json] = ["json"],
    };

    /// <summary>The type a CLR type is written as when the map does not say, or null when there is no default.</summary>
    public static NpgsqlDbType? DefaultFor(Type clrType) =>
        DefaultByClrType.TryGetValue(Nullable.GetUnderlyingType(clrType) ?? clrType, out var type) ? type : null;

    /// <summary>Whether a column of base type <paramref name="typeName"/> accepts values written as <paramref name="type"/>.</summary>
    public static bool Accepts(string typeName, NpgsqlDbType type) =>
        AcceptedTypeNames.TryGetValue(type, out var names) && names.Contains(typeName, StringComparer.Ordinal);

    /// <summary>Whether OrmPerf knows how to check <paramref name="type"/> against a column.</summary>
    public static bool IsSupported(NpgsqlDbType type) => AcceptedTypeNames.ContainsKey(type);
}
