using System.Globalization;
using Dapper;
using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

public sealed class QueryKeyTests
{
    private const string Sql = "SELECT * FROM orders WHERE id = ANY(@ids)";

    [Fact]
    public void An_in_list_differing_in_one_element_gives_a_different_key()
    {
        var a = QueryKey.Create<int>(Sql, new { ids = new[] { 1, 2, 3 } });
        var b = QueryKey.Create<int>(Sql, new { ids = new[] { 1, 2, 4 } });
        var c = QueryKey.Create<int>(Sql, new { ids = new List<int> { 1, 2, 3 } });

        Assert.NotEqual(a, b);
        Assert.NotEqual(a.Hash, b.Hash);
        Assert.Equal(a, c);
    }

    [Fact]
    public void Lists_are_framed_so_elements_cannot_shift_between_parameters()
    {
        var a = QueryKey.Create<int>(Sql, new { x = new[] { "a", "b" }, y = new[] { "c" } });
        var b = QueryKey.Create<int>(Sql, new { x = new[] { "a" }, y = new[] { "b", "c" } });

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Anonymous_type_property_order_does_not_matter()
    {
        var a = QueryKey.Create<int>(Sql, new { status = "open", customer = 7 });
        var b = QueryKey.Create<int>(Sql, new { customer = 7, status = "open" });

        Assert.Equal(a.Id, b.Id);
        Assert.True(a.Canonical.Span.SequenceEqual(b.Canonical.Span));
    }

    [Fact]
    public void Dictionaries_DynamicParameters_and_anonymous_objects_with_equal_values_agree()
    {
        var anonymous = QueryKey.Create<int>(Sql, new { b = 2, a = "x" });
        var dictionary = QueryKey.Create<int>(Sql, new Dictionary<string, object?> { ["a"] = "x", ["b"] = 2 });
        var dynamic = new DynamicParameters();
        dynamic.Add("b", 2);
        dynamic.Add("a", "x");

        Assert.Equal(anonymous, dictionary);
        Assert.Equal(QueryKey.Create<int>(Sql, dynamic), QueryKey.Create<int>(Sql, Clone(dynamic)));
    }

    [Fact]
    public void DynamicParameters_templates_are_part_of_the_key()
    {
        var a = new DynamicParameters(new { id = 1 });
        var b = new DynamicParameters(new { id = 2 });

        Assert.NotEqual(QueryKey.Create<int>(Sql, a), QueryKey.Create<int>(Sql, b));
    }

    [Fact]
    public void Null_is_distinct_from_an_empty_string_and_from_a_missing_parameter()
    {
        var nullValue = QueryKey.Create<int>(Sql, new { name = (string?)null });
        var empty = QueryKey.Create<int>(Sql, new { name = "" });
        var none = QueryKey.Create<int>(Sql);

        Assert.NotEqual(nullValue, empty);
        Assert.NotEqual(nullValue, none);
    }

    [Fact]
    public void Types_of_equal_looking_values_are_distinguished()
    {
        Assert.NotEqual(QueryKey.Create<int>(Sql, new { v = 1 }), QueryKey.Create<int>(Sql, new { v = 1L }));
        Assert.NotEqual(QueryKey.Create<int>(Sql, new { v = 1 }), QueryKey.Create<int>(Sql, new { v = "1" }));
    }

    [Fact]
    public void Result_type_scope_and_sql_are_part_of_the_key()
    {
        var key = QueryKey.Create<int>(Sql, new { id = 1 });

        Assert.NotEqual(key, QueryKey.Create<long>(Sql, new { id = 1 }));
        Assert.NotEqual(key, QueryKey.Create<int>(Sql, new { id = 1 }, scope: "tenant-a"));
        Assert.NotEqual(QueryKey.Create<int>(Sql, new { id = 1 }, scope: "tenant-b"), QueryKey.Create<int>(Sql, new { id = 1 }, scope: "tenant-a"));
        Assert.NotEqual(key, QueryKey.Create<int>(Sql + " ", new { id = 1 }));
    }

    [Fact]
    public void Keys_do_not_depend_on_the_current_culture()
    {
        var parameters = new { price = 1234.5m, ratio = 0.25, at = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc), day = new DateOnly(2026, 3, 1) };
        var original = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var german = QueryKey.Create<int>(Sql, parameters);
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("en-US");
            var american = QueryKey.Create<int>(Sql, parameters);

            Assert.Equal(german.Id, american.Id);
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }
    }

    [Fact]
    public void The_id_carries_the_format_version_and_the_hash()
    {
        var key = QueryKey.Create<int>(Sql, new { id = 1 });

        Assert.Equal($"q{QueryKey.FormatVersion}:{key.Hash:x32}", key.Id);
        Assert.Equal(key.Id, QueryKey.Create<int>(Sql, new { id = 1 }).Id);
    }

    [Fact]
    public void A_value_of_an_unknown_type_is_rejected_with_its_type_named()
    {
        var error = Assert.Throws<NotSupportedException>(() => QueryKey.Create<int>(Sql, new { id = new Uri("http://x") }));

        Assert.Contains("System.Uri", error.Message);
    }

    [Fact]
    public void Keys_with_equal_hashes_but_different_queries_are_not_equal()
    {
        var a = QueryKey.Create("SELECT 1", null, typeof(int), null, null, _ => UInt128.One);
        var b = QueryKey.Create("SELECT 2", null, typeof(int), null, null, _ => UInt128.One);

        Assert.Equal(a.Id, b.Id);
        Assert.NotEqual(a, b);
    }

    private static DynamicParameters Clone(DynamicParameters source)
    {
        var copy = new DynamicParameters();
        var lookup = (SqlMapper.IParameterLookup)source;
        foreach (var name in source.ParameterNames.Reverse())
        {
            copy.Add(name, lookup[name]);
        }

        return copy;
    }
}
