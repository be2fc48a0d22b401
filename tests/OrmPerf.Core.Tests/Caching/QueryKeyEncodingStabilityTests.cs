using Dapper;
using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

/// <summary>
/// Keys are shared between processes and releases through the second level, so the canonical encoding must not drift:
/// these pin the ids of keys covering every kind of value (recorded from format version 1 as first released).
/// </summary>
public sealed class QueryKeyEncodingStabilityTests
{
    [Fact]
    public void A_key_without_parameters_keeps_its_id()
    {
        Assert.Equal("q1:15a2294a07704f9b3fafc85b6f16bea2", QueryKey.Create<string>("SELECT name FROM products WHERE id = 42").Id);
    }

    [Fact]
    public void A_key_with_scope_and_every_kind_of_value_keeps_its_id()
    {
        var parameters = new
        {
            s = "grüße",
            n = (string?)null,
            b = true,
            u8 = (byte)7,
            i8 = (sbyte)-7,
            i16 = (short)-300,
            u16 = (ushort)300,
            i32 = -70000,
            u32 = 70000u,
            i64 = long.MinValue,
            u64 = ulong.MaxValue,
            f = 1.5f,
            d = -2.25,
            m = 1234.5678m,
            c = 'ß',
            at = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc),
            off = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.FromHours(2)),
            day = new DateOnly(2026, 3, 1),
            time = new TimeOnly(13, 14, 15),
            span = TimeSpan.FromMinutes(90),
            g = new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"),
            e = DayOfWeek.Friday,
            bytes = new byte[] { 1, 2, 3 },
            db = new DbString { Value = "abc", IsAnsi = true, Length = 10 },
            ids = new[] { 1, 2, 3 },
            names = new List<string?> { "a", null },
        };

        Assert.Equal("q1:572ef7c03df6280bf81c60e00efd0df7", QueryKey.Create<List<int>>("SELECT * FROM t WHERE a = @s", parameters, scope: "tenant-7").Id);
    }

    [Fact]
    public void Keys_of_dictionaries_and_DynamicParameters_keep_their_ids()
    {
        var dynamic = new DynamicParameters(new { id = 1 });
        dynamic.Add("b", 2);
        dynamic.Add("a", "x");

        Assert.Equal("q1:14be556b7f4e0db53b86e38530cbdb04", QueryKey.Create<int>("SELECT 1", new Dictionary<string, object?> { ["b"] = 2, ["a"] = "x" }).Id);
        Assert.Equal("q1:9a038e1023b1215f5badce25b7ae7a28", QueryKey.Create<int>("SELECT 1", dynamic).Id);
    }
}
