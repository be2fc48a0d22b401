using OrmPerf.Advisor;

namespace OrmPerf.Core.Tests.Advisor;

public sealed class StatementShapeTests
{
    [Theory]
    [InlineData("INSERT INTO orders (id) VALUES ($1)", "orders")]
    [InlineData("insert into shop.\"Orders\" values ($1)", "Orders")]
    [InlineData("UPDATE ONLY orders SET total = $1 WHERE id = $2", "orders")]
    [InlineData("DELETE FROM shop.orders WHERE id = $1", "orders")]
    [InlineData("COPY orders (id, total) FROM STDIN (FORMAT BINARY)", "orders")]
    [InlineData("TRUNCATE TABLE orders", "orders")]
    [InlineData("COPY orders TO STDOUT", null)]
    [InlineData("SELECT * FROM orders WHERE id = $1", null)]
    public void Names_the_table_a_write_statement_changes(string query, string? table) =>
        Assert.Equal(table, StatementShape.WrittenTable(query));

    [Fact]
    public void Names_the_view_a_refresh_refreshes() =>
        Assert.Equal("daily_sales", StatementShape.RefreshedView("REFRESH MATERIALIZED VIEW CONCURRENTLY reports.daily_sales"));

    [Fact]
    public void Reads_the_tables_of_a_select_and_refuses_data_modifying_or_multiple_statements()
    {
        Assert.Equal(["customers", "orders"], StatementShape.ReadTables("SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1")!.Order());
        Assert.Null(StatementShape.ReadTables("WITH moved AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM moved"));
        Assert.Null(StatementShape.ReadTables("SELECT 1 FROM orders; DROP TABLE orders"));
        Assert.Null(StatementShape.ReadTables("UPDATE orders SET total = $1"));
    }

    [Theory]
    [InlineData("SELECT region, sum(amount) FROM sales GROUP BY region", true)]
    [InlineData("SELECT count (*) FROM sales", true)]
    [InlineData("SELECT id, amount FROM sales WHERE id = $1", false)]
    public void Knows_an_aggregate(string query, bool aggregates) => Assert.Equal(aggregates, StatementShape.Aggregates(query));

    [Theory]
    [InlineData("SELECT 1", 0)]
    [InlineData("SELECT * FROM t WHERE a = $1 AND b = $12 AND c = $3", 12)]
    public void Counts_the_parameters_prepare_infers(string query, int count) => Assert.Equal(count, StatementShape.ParameterCount(query));
}
