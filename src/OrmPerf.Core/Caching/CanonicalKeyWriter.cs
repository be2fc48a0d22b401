using System.Buffers;
using System.Buffers.Binary;
using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Dapper;

namespace OrmPerf.Caching;

/// <summary>
/// Encodes a query's parts into self-delimiting bytes: every value starts with a tag naming its type, strings and
/// collections carry their lengths, so two different inputs never produce the same bytes. Numbers and dates are
/// written in binary (little-endian), never through a culture.
/// </summary>
/// <remarks>
/// A ref struct writing into a caller's (stack) buffer and moving to a pooled array only when the key outgrows it, so
/// that encoding a key allocates nothing; <see cref="Dispose"/> returns the pooled array. One writer per key.
/// </remarks>
internal ref struct CanonicalKeyWriter
{
    private Span<byte> _span;
    private byte[]? _rented;
    private int _length;

    public CanonicalKeyWriter(Span<byte> buffer)
    {
        _span = buffer;
        _rented = null;
        _length = 0;
    }

    /// <summary>The bytes written so far; valid until the next write or <see cref="Dispose"/>.</summary>
    public readonly ReadOnlySpan<byte> Written => _span[.._length];

    public void WriteHeader(int version)
    {
        WriteBytes("OPQK"u8);
        WriteVarInt((ulong)version);
    }

    /// <summary>Appends bytes produced earlier by another writer (a cached encoding).</summary>
    public void WriteEncoded(scoped ReadOnlySpan<byte> encoded) => WriteBytes(encoded);

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
        }
    }

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteTag(ValueTag.Null);
            return;
        }

        WriteTag(ValueTag.String);
        var length = Encoding.UTF8.GetByteCount(value);
        WriteVarInt((ulong)length);
        _length += Encoding.UTF8.GetBytes(value, GetSpan(length));
    }

    [RequiresUnreferencedCode("Reads the public properties of the parameter object by reflection.")]
    public void WriteParameters(object? parameters)
    {
        switch (parameters)
        {
            case null:
                WriteTag(ValueTag.Null);
                break;
            case DynamicParameters dynamic:
                WriteDynamicParameters(dynamic);
                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                WriteNamedValues(pairs.Select(p => (p.Key, p.Value)));
                break;
            case IDictionary dictionary:
                WriteDictionary(dictionary);
                break;
            case System.Collections.IEnumerable:
                throw new NotSupportedException(
                    $"Query parameters of type '{parameters.GetType()}' are a sequence; expected an object, a dictionary or DynamicParameters.");
            default:
                WriteObject(parameters);
                break;
        }
    }

    [RequiresUnreferencedCode("Reads the public properties of the parameter object by reflection.")]
    private void WriteObject(object parameters)
    {
        var properties = ParameterProperties.Of(parameters.GetType());
        WriteTag(ValueTag.Object);
        WriteVarInt((ulong)properties.Length);
        foreach (var property in properties)
        {
            WriteString(property.Name);
            WriteValue(property.GetValue(parameters));
        }
    }

    [RequiresUnreferencedCode("Reads the public properties of the parameter object by reflection.")]
    private void WriteDynamicParameters(DynamicParameters parameters)
    {
        var lookup = (SqlMapper.IParameterLookup)parameters;
        WriteNamedValues(parameters.ParameterNames.Select(name => (name, lookup[name])));
        WriteTag(ValueTag.Array);
        var templates = DapperTemplates.Of(parameters);
        WriteVarInt((ulong)templates.Count);
        foreach (var template in templates)
        {
            WriteParameters(template);
        }
    }

    private void WriteDictionary(IDictionary dictionary)
    {
        var pairs = new List<(string, object?)>(dictionary.Count);
        foreach (DictionaryEntry entry in dictionary)
        {
            pairs.Add((Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture)!, entry.Value));
        }

        WriteNamedValues(pairs);
    }

    private void WriteNamedValues(IEnumerable<(string Name, object? Value)> values)
    {
        var sorted = values.OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        WriteTag(ValueTag.Object);
        WriteVarInt((ulong)sorted.Count);
        foreach (var (name, value) in sorted)
        {
            WriteString(name);
            WriteValue(value);
        }
    }

    private void WriteValue(object? value)
    {
        switch (value)
        {
            case null or DBNull: WriteTag(ValueTag.Null); break;
            case string s: WriteString(s); break;
            case bool b: WriteTag(ValueTag.Boolean); WriteByte(b ? (byte)1 : (byte)0); break;
            case byte n: WriteTag(ValueTag.Byte); WriteByte(n); break;
            case sbyte n: WriteTag(ValueTag.SByte); WriteByte(unchecked((byte)n)); break;
            case short n: WriteTag(ValueTag.Int16); WriteInt64(n); break;
            case ushort n: WriteTag(ValueTag.UInt16); WriteInt64(n); break;
            case int n: WriteTag(ValueTag.Int32); WriteInt64(n); break;
            case uint n: WriteTag(ValueTag.UInt32); WriteInt64(n); break;
            case long n: WriteTag(ValueTag.Int64); WriteInt64(n); break;
            case ulong n: WriteTag(ValueTag.UInt64); WriteInt64(unchecked((long)n)); break;
            case float n: WriteTag(ValueTag.Single); WriteInt64(BitConverter.SingleToInt32Bits(n)); break;
            case double n: WriteTag(ValueTag.Double); WriteInt64(BitConverter.DoubleToInt64Bits(n)); break;
            case decimal n: WriteDecimal(n); break;
            case char c: WriteTag(ValueTag.Char); WriteInt64(c); break;
            case DateTime d: WriteTag(ValueTag.DateTime); WriteInt64(d.Ticks); WriteInt64((long)d.Kind); break;
            case DateTimeOffset d: WriteTag(ValueTag.DateTimeOffset); WriteInt64(d.Ticks); WriteInt64(d.Offset.Ticks); break;
            case DateOnly d: WriteTag(ValueTag.DateOnly); WriteInt64(d.DayNumber); break;
            case TimeOnly t: WriteTag(ValueTag.TimeOnly); WriteInt64(t.Ticks); break;
            case TimeSpan t: WriteTag(ValueTag.TimeSpan); WriteInt64(t.Ticks); break;
            case Guid g: WriteGuid(g); break;
            case Enum e: WriteEnum(e); break;
            case byte[] bytes: WriteTag(ValueTag.Bytes); WriteVarInt((ulong)bytes.Length); WriteBytes(bytes); break;
            case DbString db: WriteDbString(db); break;
            case IEnumerable items: WriteArray(items); break;
            default:
                throw new NotSupportedException(
                    $"A query-cache key cannot encode a parameter value of type '{value.GetType()}'. Expected null, a string, a number, " +
                    "a bool, a date/time, a Guid, an enum, a byte[], a DbString, or an array/list of those.");
        }
    }

    private void WriteArray(IEnumerable items)
    {
        WriteTag(ValueTag.Array);
        var values = items.Cast<object?>().ToList();
        WriteVarInt((ulong)values.Count);
        foreach (var item in values)
        {
            WriteValue(item);
        }
    }

    private void WriteDecimal(decimal value)
    {
        WriteTag(ValueTag.Decimal);
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        foreach (var part in bits)
        {
            WriteInt64(part);
        }
    }

    private void WriteGuid(Guid value)
    {
        WriteTag(ValueTag.Guid);
        Span<byte> bytes = stackalloc byte[16];
        value.TryWriteBytes(bytes);
        WriteBytes(bytes);
    }

    private void WriteEnum(Enum value)
    {
        WriteTag(ValueTag.Enum);
        WriteString(value.GetType().FullName);
        WriteInt64(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private void WriteDbString(DbString value)
    {
        WriteTag(ValueTag.DbString);
        WriteString(value.Value);
        WriteByte(value.IsAnsi ? (byte)1 : (byte)0);
        WriteByte(value.IsFixedLength ? (byte)1 : (byte)0);
        WriteInt64(value.Length);
    }

    private void WriteTag(ValueTag tag) => WriteByte((byte)tag);

    private void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(GetSpan(8), value);
        _length += 8;
    }

    private void WriteVarInt(ulong value)
    {
        while (value >= 0x80)
        {
            WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        WriteByte((byte)value);
    }

    private void WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        _length++;
    }

    private void WriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _length += bytes.Length;
    }

    /// <summary>The free space after the written bytes, at least <paramref name="size"/> long.</summary>
    private Span<byte> GetSpan(int size)
    {
        if (_span.Length - _length < size)
        {
            Grow(size);
        }

        return _span[_length..];
    }

    private void Grow(int size)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_span.Length * 2, _length + size));
        _span[.._length].CopyTo(larger);
        Dispose();
        _rented = larger;
        _span = larger;
    }

    private enum ValueTag : byte
    {
        Null = 0, String, Boolean, Byte, SByte, Int16, UInt16, Int32, UInt32, Int64, UInt64, Single, Double, Decimal, Char,
        DateTime, DateTimeOffset, DateOnly, TimeOnly, TimeSpan, Guid, Enum, Bytes, DbString, Array, Object,
    }
}
