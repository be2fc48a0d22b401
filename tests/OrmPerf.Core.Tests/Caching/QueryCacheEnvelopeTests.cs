using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

public sealed class QueryCacheEnvelopeTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_result_round_trips_with_its_lifetime_and_tags()
    {
        var key = QueryKey.Create<List<Order>>("SELECT * FROM orders");
        var entry = new QueryCacheEnvelopeEntry<List<Order>>([new Order(1, "open", 9.95m)], Now, Now.AddMinutes(1), Now.AddMinutes(5), ["table:orders"]);

        var payload = QueryCacheEnvelope.Serialize(key, entry, TypeInfo<List<Order>>());
        var read = QueryCacheEnvelope.Deserialize(payload, key, TypeInfo<List<Order>>());

        Assert.NotNull(read);
        Assert.Equal(entry.Value, read.Value);
        Assert.Equal((entry.CreatedAt, entry.FreshUntil, entry.StaleUntil), (read.CreatedAt, read.FreshUntil, read.StaleUntil));
        Assert.Equal(entry.Tags, read.Tags);
    }

    [Fact]
    public void A_payload_written_for_a_colliding_key_is_rejected()
    {
        var written = QueryKey.Create("SELECT 1", null, typeof(int), null, null, _ => UInt128.One);
        var asked = QueryKey.Create("SELECT 2", null, typeof(int), null, null, _ => UInt128.One);
        var payload = QueryCacheEnvelope.Serialize(written, new QueryCacheEnvelopeEntry<int>(1, Now, Now, Now, []), TypeInfo<int>());

        Assert.Null(QueryCacheEnvelope.Deserialize(payload, asked, TypeInfo<int>()));
    }

    [Fact]
    public void Another_envelope_version_is_rejected()
    {
        var key = QueryKey.Create<int>("SELECT 1");
        var payload = Encoding.UTF8.GetString(QueryCacheEnvelope.Serialize(key, new QueryCacheEnvelopeEntry<int>(1, Now, Now, Now, []), TypeInfo<int>()));

        Assert.StartsWith("{\"v\":2,", payload);
        Assert.Null(QueryCacheEnvelope.Deserialize(Encoding.UTF8.GetBytes(payload.Replace("{\"v\":2,", "{\"v\":1,")), key, TypeInfo<int>()));
    }

    [Fact]
    public void The_read_position_round_trips_and_an_unknown_one_stays_unknown()
    {
        var key = QueryKey.Create<int>("SELECT 1");
        var position = new NpgsqlTypes.NpgsqlLogSequenceNumber(0x1_0000_00A8);

        var known = QueryCacheEnvelope.Deserialize(QueryCacheEnvelope.Serialize(key, new QueryCacheEnvelopeEntry<int>(1, Now, Now, Now, [], position), TypeInfo<int>()), key, TypeInfo<int>());
        var unknown = QueryCacheEnvelope.Deserialize(QueryCacheEnvelope.Serialize(key, new QueryCacheEnvelopeEntry<int>(1, Now, Now, Now, []), TypeInfo<int>()), key, TypeInfo<int>());

        Assert.Equal(position, known!.ReadAt);
        Assert.Null(unknown!.ReadAt);
    }

    [Fact]
    public void The_payload_names_no_types_even_for_a_derived_value()
    {
        var key = QueryKey.Create<Order>("SELECT 1");
        Order value = new PriorityOrder(1, "open", 1m, "secret");

        var payload = Encoding.UTF8.GetString(QueryCacheEnvelope.Serialize(key, new QueryCacheEnvelopeEntry<Order>(value, Now, Now, Now, []), TypeInfo<Order>()));

        Assert.DoesNotContain("$type", payload);
        Assert.DoesNotContain(nameof(PriorityOrder), payload);
        Assert.DoesNotContain("secret", payload);
    }

    [Fact]
    public void A_malformed_payload_throws_a_JsonException()
    {
        var key = QueryKey.Create<int>("SELECT 1");

        Assert.Throws<JsonException>(() => QueryCacheEnvelope.Deserialize("{\"x\":1}"u8, key, TypeInfo<int>()));
    }

    private static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)JsonSerializerOptions.Default.GetTypeInfo(typeof(T));

    public record Order(int Id, string Status, decimal Total);

    public sealed record PriorityOrder(int Id, string Status, decimal Total, string Note) : Order(Id, Status, Total);
}
