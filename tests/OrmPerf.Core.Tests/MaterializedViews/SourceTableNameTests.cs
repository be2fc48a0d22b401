using OrmPerf.MaterializedViews;

namespace OrmPerf.Core.Tests.MaterializedViews;

public sealed class SourceTableNameTests
{
    [Theory]
    [InlineData("sales.orders", "sales.orders", true)]
    [InlineData("sales.orders", "archive.orders", false)]
    [InlineData("sales.orders", "orders", true)]
    [InlineData("orders", "sales.orders", true)]
    [InlineData("orders", "orders", true)]
    [InlineData("sales.orders", "sales.order", false)]
    [InlineData("sales.orders", "Orders", false)]
    public void A_name_without_a_schema_matches_the_table_in_any_schema(string source, string reported, bool matches) =>
        Assert.Equal(matches, SourceTableName.Matches(source, reported));
}
