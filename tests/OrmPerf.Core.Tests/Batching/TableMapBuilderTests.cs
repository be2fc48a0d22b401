using NpgsqlTypes;
using OrmPerf.Batching;

namespace OrmPerf.Core.Tests.Batching;

public sealed class TableMapBuilderTests
{
    private sealed record Row(long Id, string? CustomerName, decimal Amount, DateTime CreatedAt, TimeSpan Duration, int? Quantity);

    [Fact]
    public void Columns_default_to_snake_case_names_and_the_usual_PostgreSQL_types()
    {
        var map = new TableMapBuilder<Row>().Table("orders", "sales")
            .Column(r => r.Id).Column(r => r.CustomerName).Column(r => r.Amount).Column(r => r.CreatedAt).Column(r => r.Quantity)
            .Key("id").Build();

        Assert.Equal(["id", "customer_name", "amount", "created_at", "quantity"], map.Columns.Select(c => c.Name));
        Assert.Equal(
            [NpgsqlDbType.Bigint, NpgsqlDbType.Text, NpgsqlDbType.Numeric, NpgsqlDbType.TimestampTz, NpgsqlDbType.Integer],
            map.Columns.Select(c => c.DbType));
        Assert.Equal("sales.orders", map.DisplayName);
        Assert.Equal(["id"], map.KeyColumns);
    }

    [Fact]
    public void Identifiers_are_quoted_with_embedded_quotes_doubled()
    {
        var map = new TableMapBuilder<Row>().Table("Order \"Lines\"", "My Schema").Column(r => r.Id, "Id\"; DROP TABLE x; --").Build();

        Assert.Equal("\"My Schema\".\"Order \"\"Lines\"\"\"", map.QualifiedName);
        Assert.Equal("\"Id\"\"; DROP TABLE x; --\"", map.QuotedColumnList);
    }

    [Fact]
    public void A_type_without_a_default_PostgreSQL_type_is_refused_naming_member_and_type()
    {
        var error = Assert.Throws<ArgumentException>(() => new TableMapBuilder<Row>().Column(r => r.Duration));

        Assert.Contains("Row.Duration", error.Message, StringComparison.Ordinal);
        Assert.Contains("TimeSpan", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_is_not_mapped_or_a_missing_table_is_refused()
    {
        var unmappedKey = Assert.Throws<InvalidOperationException>(() => new TableMapBuilder<Row>().Table("orders").Column(r => r.Id).Key("code").Build());
        Assert.Contains("'code'", unmappedKey.Message, StringComparison.Ordinal);

        Assert.Throws<InvalidOperationException>(() => new TableMapBuilder<Row>().Column(r => r.Id).Build());
        Assert.Throws<ArgumentException>(() => new TableMapBuilder<Row>().Column(r => r.Id + 1));
        Assert.Throws<ArgumentException>(() => new TableMapBuilder<Row>().Column(r => r.Id).Column(r => r.Amount, "id"));
    }
}
