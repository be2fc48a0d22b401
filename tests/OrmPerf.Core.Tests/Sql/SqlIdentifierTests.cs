using OrmPerf.Sql;

namespace OrmPerf.Core.Tests.Sql;

public sealed class SqlIdentifierTests
{
    [Theory]
    [InlineData("orders", "\"orders\"")]
    [InlineData("Order_Lines$2", "\"Order_Lines$2\"")]
    [InlineData("reporting.sales_summary", "\"reporting\".\"sales_summary\"")]
    public void Valid_names_are_quoted_part_by_part(string name, string expected) =>
        Assert.Equal(expected, SqlIdentifier.QuoteQualified(name));

    [Theory]
    [InlineData("")]
    [InlineData("orders; DROP TABLE users")]
    [InlineData("or\"ders")]
    [InlineData("1orders")]
    [InlineData("a.b.c")]
    [InlineData(".orders")]
    [InlineData("orders.")]
    [InlineData("sales summary")]
    public void Names_with_other_characters_are_rejected_with_the_name_in_the_message(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => SqlIdentifier.QuoteQualified(name, "name"));
        Assert.Equal("name", error.ParamName);
        Assert.Contains($"'{name}'", error.Message);
    }

    [Fact]
    public void A_single_identifier_may_not_be_schema_qualified() =>
        Assert.Throws<ArgumentException>(() => SqlIdentifier.Quote("public.orders"));

    [Fact]
    public void Identifiers_longer_than_63_bytes_are_rejected()
    {
        Assert.Equal("\"" + new string('a', 63) + "\"", SqlIdentifier.Quote(new string('a', 63)));
        Assert.Throws<ArgumentException>(() => SqlIdentifier.Quote(new string('a', 64)));
    }

    [Fact]
    public void Lists_are_quoted_and_joined() =>
        Assert.Equal("\"id\", \"last_login\"", SqlIdentifier.QuoteList(["id", "last_login"]));
}
