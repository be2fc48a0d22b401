using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using NpgsqlTypes;

namespace OrmPerf.Caching;

/// <summary>
/// The versioned JSON form of a cached result for a second-level store:
/// <c>{"v":2,"key":"&lt;SHA-256 of the canonical key, base64&gt;","created":…,"fresh":…,"stale":…,"tags":[…],"read":&lt;WAL position, 0 if unknown&gt;,"value":…}</c>.
/// </summary>
/// <remarks>
/// <para>System.Text.Json only, with the caller's type information: no type names in the payload and no polymorphic
/// deserialization, so whoever can write to the store cannot make a reader instantiate a type of their choosing.</para>
/// <para>The header comes before the value, and a payload whose version or key digest does not match is rejected
/// before its value is deserialized. Thread-safe (stateless).</para>
/// </remarks>
internal static class QueryCacheEnvelope
{
    /// <summary>The envelope format version written, and the only one read.</summary>
    public const int Version = 2;

    // The key digest, a 32-byte SHA-256, in base64.
    private const int DigestBase64Length = 44;

    /// <summary>Encodes a result for <paramref name="key"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="key">The query's key.</param>
    /// <param name="entry">The result and its lifetime.</param>
    /// <param name="typeInfo">How to serialize <typeparamref name="T"/> (from a source-generated context, or <c>options.GetTypeInfo</c>).</param>
    /// <returns>The payload.</returns>
    public static byte[] Serialize<T>(QueryKey key, QueryCacheEnvelopeEntry<T> entry, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", Version);
            writer.WriteBase64String("key", key.Digest);
            writer.WriteString("created", entry.CreatedAt);
            writer.WriteString("fresh", entry.FreshUntil);
            writer.WriteString("stale", entry.StaleUntil);
            writer.WriteStartArray("tags");
            foreach (var tag in entry.Tags)
            {
                writer.WriteStringValue(tag);
            }

            writer.WriteEndArray();
            writer.WriteNumber("read", (ulong)(entry.ReadAt ?? default));
            writer.WritePropertyName("value");
            JsonSerializer.Serialize(writer, entry.Value, typeInfo);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a payload if it is a version-<see cref="Version"/> envelope written for <paramref name="key"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="payload">The payload from the store.</param>
    /// <param name="key">The key the caller looks up; another key's payload (a hash collision) is rejected.</param>
    /// <param name="typeInfo">How to deserialize <typeparamref name="T"/>.</param>
    /// <returns>The entry, or <see langword="null"/> when the payload is for another key or another envelope version.</returns>
    /// <exception cref="JsonException">The payload is not a well-formed envelope.</exception>
    public static QueryCacheEnvelopeEntry<T>? Deserialize<T>(ReadOnlySpan<byte> payload, QueryKey key, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var reader = new Utf8JsonReader(payload);
        Expect(ref reader, JsonTokenType.StartObject);
        // The digest is compared as base64 text, so a read allocates neither a digest nor its decoded copy.
        Span<byte> digest = stackalloc byte[DigestBase64Length];
        Base64.EncodeToUtf8(key.Digest, digest, out _, out _);
        if (ReadProperty(ref reader, "v").GetInt32() != Version || !ReadProperty(ref reader, "key").ValueTextEquals(digest))
        {
            return null;
        }

        var created = ReadProperty(ref reader, "created").GetDateTimeOffset();
        var fresh = ReadProperty(ref reader, "fresh").GetDateTimeOffset();
        var stale = ReadProperty(ref reader, "stale").GetDateTimeOffset();
        ReadProperty(ref reader, "tags");
        // Most entries carry one tag or none: sized for one, and nothing allocated for none.
        List<string>? tags = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            (tags ??= new List<string>(1)).Add(reader.GetString()!);
        }

        var read = ReadProperty(ref reader, "read").GetUInt64();
        ReadProperty(ref reader, "value");
        var value = JsonSerializer.Deserialize(ref reader, typeInfo)!;
        return new QueryCacheEnvelopeEntry<T>(value, created, fresh, stale, tags ?? (IReadOnlyList<string>)[], read == 0 ? null : new NpgsqlLogSequenceNumber(read));
    }

    private static ref Utf8JsonReader ReadProperty(ref Utf8JsonReader reader, string name)
    {
        Expect(ref reader, JsonTokenType.PropertyName);
        if (!reader.ValueTextEquals(name))
        {
            throw new JsonException($"Expected the query-cache envelope property '{name}', found '{reader.GetString()}'.");
        }

        if (!reader.Read())
        {
            throw new JsonException($"The query-cache envelope ends after the property '{name}'.");
        }

        return ref reader;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new JsonException($"Expected {type} in the query-cache envelope, found {reader.TokenType}.");
        }
    }
}
