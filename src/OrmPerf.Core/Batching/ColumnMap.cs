using Npgsql;
using NpgsqlTypes;

namespace OrmPerf.Batching;

/// <summary>One mapped column: its name, how its value is written, and the compiled accessor that reads it from a row.</summary>
/// <typeparam name="T">The row type.</typeparam>
public abstract class ColumnMap<T>
{
    private protected ColumnMap(string name, string member, Type clrType, NpgsqlDbType dbType)
    {
        Name = name;
        Member = member;
        ClrType = clrType;
        DbType = dbType;
    }

    /// <summary>The column's name in the table (unquoted).</summary>
    public string Name { get; }

    /// <summary>The name of the member of <typeparamref name="T"/> the value comes from.</summary>
    public string Member { get; }

    /// <summary>The CLR type of the member.</summary>
    public Type ClrType { get; }

    /// <summary>The PostgreSQL type the value is written as.</summary>
    public NpgsqlDbType DbType { get; }

    /// <summary>Whether <see cref="Encode"/> can write this column: its (CLR type, <see cref="DbType"/>) pair is one <see cref="BinaryCopyEncoding"/> knows.</summary>
    internal abstract bool IsEncodable { get; }

    internal abstract Task WriteAsync(NpgsqlBinaryImporter importer, T row, CancellationToken cancellationToken);

    /// <summary>Writes this column's value of <paramref name="row"/> as a binary COPY field; returns the bytes written, or -1 when they do not fit. Only when <see cref="IsEncodable"/>.</summary>
    internal abstract int Encode(T row, Span<byte> destination);

    /// <summary>This column's values of <paramref name="rows"/> as one array parameter, for <c>unnest</c>; a row whose value cannot be read is reported by <paramref name="unreadable"/>.</summary>
    internal abstract NpgsqlParameter ToArrayParameter(string parameterName, ArraySegment<T> rows, Func<int, Exception, Exception> unreadable);
}

/// <summary>A column whose value has CLR type <typeparamref name="TValue"/>; written without boxing.</summary>
internal sealed class ColumnMap<T, TValue>(string name, string member, NpgsqlDbType dbType, Func<T, TValue> read)
    : ColumnMap<T>(name, member, typeof(TValue), dbType)
{
    private readonly BinaryCopyEncoding.ValueEncoder<TValue>? _encode = BinaryCopyEncoding.For<TValue>(dbType);

    internal override bool IsEncodable => _encode is not null;

    internal override int Encode(T row, Span<byte> destination)
    {
        var value = read(row);
        return value is null ? BinaryCopyEncoding.Null(destination) : _encode!(value, destination);
    }

    internal override Task WriteAsync(NpgsqlBinaryImporter importer, T row, CancellationToken cancellationToken)
    {
        var value = read(row);
        return value is null
            ? importer.WriteNullAsync(cancellationToken)
            : importer.WriteAsync(value, DbType, cancellationToken);
    }

    internal override NpgsqlParameter ToArrayParameter(string parameterName, ArraySegment<T> rows, Func<int, Exception, Exception> unreadable)
    {
        var values = new TValue[rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            try
            {
                values[i] = read(rows[i]);
            }
            catch (Exception e) when (UnwritableRowException.IsCausedByRow(e))
            {
                throw unreadable(i, e);
            }
        }

        return new NpgsqlParameter<TValue[]>(parameterName, NpgsqlDbType.Array | DbType) { TypedValue = values };
    }
}
