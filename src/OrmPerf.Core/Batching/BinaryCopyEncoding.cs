using System.Buffers.Binary;
using System.Text;
using NpgsqlTypes;

namespace OrmPerf.Batching;

/// <summary>
/// PostgreSQL's binary COPY format, written by hand for the common column types: each value is a 4-byte big-endian
/// length (-1 for null) and its bytes. Npgsql's importer resolves and binds a parameter for every value it writes,
/// which made the client, not the server, the slowest part of an import; encoding straight into a buffer that is sent
/// in large chunks costs a few nanoseconds per value. The bytes are the ones Npgsql's own converters write for the same
/// (CLR type, <see cref="NpgsqlDbType"/>) pairs; any other pair goes through Npgsql's importer as before.
/// </summary>
internal static class BinaryCopyEncoding
{
    /// <summary>Writes <paramref name="value"/> (never null) as a field into <paramref name="destination"/>; returns the bytes written, or -1 when they do not fit.</summary>
    public delegate int ValueEncoder<in TValue>(TValue value, Span<byte> destination);

    // As Npgsql: a string that is not valid UTF-16 (a lone surrogate) is refused, not sent with replacement characters.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly Dictionary<(Type, NpgsqlDbType), Delegate> Encoders = new()
    {
        [(typeof(long), NpgsqlDbType.Bigint)] = (ValueEncoder<long>)Int64,
        [(typeof(long?), NpgsqlDbType.Bigint)] = (ValueEncoder<long?>)((v, d) => Int64(v.GetValueOrDefault(), d)),
        [(typeof(int), NpgsqlDbType.Integer)] = (ValueEncoder<int>)Int32,
        [(typeof(int?), NpgsqlDbType.Integer)] = (ValueEncoder<int?>)((v, d) => Int32(v.GetValueOrDefault(), d)),
        [(typeof(short), NpgsqlDbType.Smallint)] = (ValueEncoder<short>)Int16,
        [(typeof(short?), NpgsqlDbType.Smallint)] = (ValueEncoder<short?>)((v, d) => Int16(v.GetValueOrDefault(), d)),
        [(typeof(double), NpgsqlDbType.Double)] = (ValueEncoder<double>)Float64,
        [(typeof(double?), NpgsqlDbType.Double)] = (ValueEncoder<double?>)((v, d) => Float64(v.GetValueOrDefault(), d)),
        [(typeof(float), NpgsqlDbType.Real)] = (ValueEncoder<float>)Float32,
        [(typeof(float?), NpgsqlDbType.Real)] = (ValueEncoder<float?>)((v, d) => Float32(v.GetValueOrDefault(), d)),
        [(typeof(bool), NpgsqlDbType.Boolean)] = (ValueEncoder<bool>)Boolean,
        [(typeof(bool?), NpgsqlDbType.Boolean)] = (ValueEncoder<bool?>)((v, d) => Boolean(v.GetValueOrDefault(), d)),
        [(typeof(Guid), NpgsqlDbType.Uuid)] = (ValueEncoder<Guid>)Uuid,
        [(typeof(Guid?), NpgsqlDbType.Uuid)] = (ValueEncoder<Guid?>)((v, d) => Uuid(v.GetValueOrDefault(), d)),
        [(typeof(string), NpgsqlDbType.Text)] = (ValueEncoder<string>)Text,
        [(typeof(string), NpgsqlDbType.Varchar)] = (ValueEncoder<string>)Text,
        [(typeof(byte[]), NpgsqlDbType.Bytea)] = (ValueEncoder<byte[]>)Bytes,
    };

    /// <summary>The file header: signature, flags (no OIDs) and an empty header extension.</summary>
    public static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>The encoder of <typeparamref name="TValue"/> written as <paramref name="type"/>, or null when only Npgsql's importer writes that pair.</summary>
    public static ValueEncoder<TValue>? For<TValue>(NpgsqlDbType type) =>
        Encoders.TryGetValue((typeof(TValue), type), out var encoder) ? (ValueEncoder<TValue>)encoder : null;

    /// <summary>Starts a row of <paramref name="fields"/> fields; false when 2 bytes do not fit.</summary>
    public static bool TryStartRow(short fields, Span<byte> destination) => BinaryPrimitives.TryWriteInt16BigEndian(destination, fields);

    /// <summary>The file trailer (a field count of -1); false when 2 bytes do not fit.</summary>
    public static bool TryEnd(Span<byte> destination) => BinaryPrimitives.TryWriteInt16BigEndian(destination, -1);

    /// <summary>Writes a null field; -1 when 4 bytes do not fit.</summary>
    public static int Null(Span<byte> destination) => BinaryPrimitives.TryWriteInt32BigEndian(destination, -1) ? 4 : -1;

    /// <summary>Writes a bigint field; -1 when 12 bytes do not fit.</summary>
    public static int Int64(long value, Span<byte> destination)
    {
        if (destination.Length < 12)
        {
            return -1;
        }

        BinaryPrimitives.WriteInt32BigEndian(destination, 8);
        BinaryPrimitives.WriteInt64BigEndian(destination[4..], value);
        return 12;
    }

    private static int Int32(int value, Span<byte> destination)
    {
        if (destination.Length < 8)
        {
            return -1;
        }

        BinaryPrimitives.WriteInt32BigEndian(destination, 4);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], value);
        return 8;
    }

    private static int Int16(short value, Span<byte> destination)
    {
        if (destination.Length < 6)
        {
            return -1;
        }

        BinaryPrimitives.WriteInt32BigEndian(destination, 2);
        BinaryPrimitives.WriteInt16BigEndian(destination[4..], value);
        return 6;
    }

    private static int Float64(double value, Span<byte> destination)
    {
        if (destination.Length < 12)
        {
            return -1;
        }

        BinaryPrimitives.WriteInt32BigEndian(destination, 8);
        BinaryPrimitives.WriteDoubleBigEndian(destination[4..], value);
        return 12;
    }

    private static int Float32(float value, Span<byte> destination)
    {
        if (destination.Length < 8)
        {
            return -1;
        }

        BinaryPrimitives.WriteInt32BigEndian(destination, 4);
        BinaryPrimitives.WriteSingleBigEndian(destination[4..], value);
        return 8;
    }

    private static int Boolean(bool value, Span<byte> destination)
    {
        if (destination.Length < 5)
        {
            return -1;
        }

        BinaryPrimitives.WriteInt32BigEndian(destination, 1);
        destination[4] = value ? (byte)1 : (byte)0;
        return 5;
    }

    // PostgreSQL's uuid is the RFC 4122 byte order, which is .NET's big-endian form of a Guid.
    private static int Uuid(Guid value, Span<byte> destination)
    {
        if (destination.Length < 20)
        {
            return -1;
        }

        BinaryPrimitives.WriteInt32BigEndian(destination, 16);
        value.TryWriteBytes(destination[4..], bigEndian: true, out _);
        return 20;
    }

    private static int Text(string value, Span<byte> destination)
    {
        // At most 3 UTF-8 bytes per UTF-16 char; only a string that might not fit is measured first.
        if (destination.Length < 4 || (destination.Length - 4 < value.Length * 3 && destination.Length - 4 < StrictUtf8.GetByteCount(value)))
        {
            return -1;
        }

        var length = StrictUtf8.GetBytes(value, destination[4..]);
        BinaryPrimitives.WriteInt32BigEndian(destination, length);
        return 4 + length;
    }

    private static int Bytes(byte[] value, Span<byte> destination)
    {
        if (destination.Length < 4 + value.Length)
        {
            return -1;
        }

        BinaryPrimitives.WriteInt32BigEndian(destination, value.Length);
        value.CopyTo(destination[4..]);
        return 4 + value.Length;
    }
}
