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
/// written in binary (little-endian), never through a culture. Not thread-safe: one writer per key.
/// </summary>
internal sealed class CanonicalKeyWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public void WriteHeader(int version)
    {
        WriteBytes("OPQK"u8);
        WriteVarInt((ulong)version);
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

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
        _buffer.Advance(Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length)));
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
            case bool b: WriteTag(ValueTag.Boolean); WriteBytes([b ? (byte)1 : (byte)0]); break;
            case byte n: WriteTag(ValueTag.Byte); WriteBytes([n]); break;
            case sbyte n: WriteTag(ValueTag.SByte); WriteBytes([unchecked((byte)n)]); break;
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
        WriteBytes([value.IsAnsi ? (byte)1 : (byte)0, value.IsFixedLength ? (byte)1 : (byte)0]);
        WriteInt64(value.Length);
    }

    private void WriteTag(ValueTag tag) => WriteBytes([(byte)tag]);

    private void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    private void WriteVarInt(ulong value)
    {
        while (value >= 0x80)
        {
            WriteBytes([(byte)(value | 0x80)]);
            value >>= 7;
        }

        WriteBytes([(byte)value]);
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    private enum ValueTag : byte
    {
        Null = 0, String, Boolean, Byte, SByte, Int16, UInt16, Int32, UInt32, Int64, UInt64, Single, Double, Decimal, Char,
        DateTime, DateTimeOffset, DateOnly, TimeOnly, TimeSpan, Guid, Enum, Bytes, DbString, Array, Object,
    }
}
