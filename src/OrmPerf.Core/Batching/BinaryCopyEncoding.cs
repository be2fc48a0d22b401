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

    private static readonly Dictionary<(Type, NpgsqlDbType), Delegate> Encoders = new(
        WithNullable<long>(NpgsqlDbType.Bigint, Int64)
            .Concat(WithNullable<int>(NpgsqlDbType.Integer, Int32))
            .Concat(WithNullable<short>(NpgsqlDbType.Smallint, Int16))
            .Concat(WithNullable<double>(NpgsqlDbType.Double, Float64))
            .Concat(WithNullable<float>(NpgsqlDbType.Real, Float32))
            .Concat(WithNullable<bool>(NpgsqlDbType.Boolean, Boolean))
            .Concat(WithNullable<Guid>(NpgsqlDbType.Uuid, Uuid))
            .Append(new((typeof(string), NpgsqlDbType.Text), (ValueEncoder<string>)Text))
            .Append(new((typeof(string), NpgsqlDbType.Varchar), (ValueEncoder<string>)Text))
            .Append(new((typeof(byte[]), NpgsqlDbType.Bytea), (ValueEncoder<byte[]>)Bytes)));

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
    public static int Int64(long value, Span<byte> destination) =>
        TryStartField(destination, 8, out var field) && BinaryPrimitives.TryWriteInt64BigEndian(field, value) ? 12 : -1;

    private static int Int32(int value, Span<byte> destination) =>
        TryStartField(destination, 4, out var field) && BinaryPrimitives.TryWriteInt32BigEndian(field, value) ? 8 : -1;

    private static int Int16(short value, Span<byte> destination) =>
        TryStartField(destination, 2, out var field) && BinaryPrimitives.TryWriteInt16BigEndian(field, value) ? 6 : -1;

    private static int Float64(double value, Span<byte> destination) =>
        TryStartField(destination, 8, out var field) && BinaryPrimitives.TryWriteDoubleBigEndian(field, value) ? 12 : -1;

    private static int Float32(float value, Span<byte> destination) =>
        TryStartField(destination, 4, out var field) && BinaryPrimitives.TryWriteSingleBigEndian(field, value) ? 8 : -1;

    // PostgreSQL's uuid is the RFC 4122 byte order, which is .NET's big-endian form of a Guid.
    private static int Uuid(Guid value, Span<byte> destination) =>
        TryStartField(destination, 16, out var field) && value.TryWriteBytes(field, bigEndian: true, out _) ? 20 : -1;

    private static int Boolean(bool value, Span<byte> destination)
    {
        if (!TryStartField(destination, 1, out var field))
        {
            return -1;
        }

        field[0] = value ? (byte)1 : (byte)0;
        return 5;
    }

    private static int Bytes(byte[] value, Span<byte> destination)
    {
        if (!TryStartField(destination, value.Length, out var field))
        {
            return -1;
        }

        value.CopyTo(field);
        return 4 + value.Length;
    }

    // A value type's encoder, and its nullable's (whose nulls never reach an encoder).
    private static IEnumerable<KeyValuePair<(Type, NpgsqlDbType), Delegate>> WithNullable<TValue>(NpgsqlDbType type, ValueEncoder<TValue> encode)
        where TValue : struct
    {
        yield return new((typeof(TValue), type), encode);
        yield return new((typeof(TValue?), type), (ValueEncoder<TValue?>)((value, destination) => encode(value.GetValueOrDefault(), destination)));
    }

    // Writes the length of a field of size bytes and returns where its value goes; false when the field does not fit.
    private static bool TryStartField(Span<byte> destination, int size, out Span<byte> value)
    {
        if (destination.Length < 4 + size)
        {
            value = default;
            return false;
        }

        BinaryPrimitives.WriteInt32BigEndian(destination, size);
        value = destination.Slice(4, size);
        return true;
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
}
