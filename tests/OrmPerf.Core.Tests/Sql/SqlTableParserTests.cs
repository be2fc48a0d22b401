using OrmPerf.Caching;
using OrmPerf.Sql;

namespace OrmPerf.Core.Tests.Sql;

public sealed class SqlTableParserTests
{
    [Theory]
    [InlineData("SELECT * FROM orders", "orders")]
    [InlineData("select o.id from Sales.Orders o join customers c on c.id = o.customer_id", "orders,customers")]
    [InlineData("SELECT * FROM \"Sales\".\"OrderLines\" l LEFT JOIN \"Products\" p USING (product_id)", "OrderLines,Products")]
    [InlineData("SELECT * FROM a, b x, c AS y WHERE a.id IN (1, 2)", "a,b,c")]
    [InlineData("SELECT * FROM (SELECT id FROM inner_t) s, outer_t", "inner_t,outer_t")]
    [InlineData("WITH recent AS (SELECT * FROM orders WHERE at > now()) SELECT * FROM recent", "orders,recent")]
    [InlineData("SELECT extract(year FROM created) FROM events -- FROM comments\n /* FROM hidden */", "created,events")]
    [InlineData("SELECT 'FROM fake' AS s FROM real_table ORDER BY a, b", "real_table")]
    [InlineData("SELECT * FROM ONLY parent_t JOIN child_t ON true", "parent_t,child_t")]
    [InlineData("SELECT * FROM a JOIN b ON a.x = b.x, c", "a,b,c")]
    public void Finds_the_tables_read(string sql, string expected)
    {
        var tags = SqlTableParser.TableTags(sql);

        Assert.Equal(expected.Split(',').Select(t => "table:" + t).Order(), tags.Order());
    }

    [Theory]
    [InlineData("SELECT * FROM get_orders(@id)")]
    [InlineData("SELECT * FROM ROWS FROM (generate_series(1, 3))")]
    [InlineData("SELECT my_function()")]
    [InlineData("SELECT $$FROM x$$ FROM t")]
    [InlineData("SELECT * FROM \"unterminated")]
    public void Falls_back_to_the_catch_all_tag_when_unsure(string sql)
    {
        Assert.Equal([QueryCacheTags.AnyTable], SqlTableParser.TableTags(sql));
    }

    [Theory]
    [InlineData("orders", "table:orders")]
    [InlineData("Sales.Orders", "table:orders")]
    [InlineData("\"Sales\".\"Orders\"", "table:Orders")]
    public void Table_tags_ignore_the_schema_and_fold_unquoted_case(string table, string expected)
    {
        Assert.Equal(expected, QueryCacheTags.ForTable(table));
    }

    [Fact]
    public void A_non_name_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => QueryCacheTags.ForTable("orders; drop"));

        Assert.Contains("orders; drop", error.Message);
    }

    [Theory]
    [InlineData("UPDATE price SET amount = 200 WHERE id = 1", "price")]
    [InlineData("update ONLY Sales.Orders o SET paid = true FROM payments p WHERE p.order_id = o.id", "orders,payments")]
    [InlineData("INSERT INTO \"Audit\" (a) SELECT a FROM src", "Audit,src")]
    [InlineData("DELETE FROM sessions WHERE expires < now()", "sessions")]
    [InlineData("MERGE INTO stock s USING deliveries d ON s.id = d.id WHEN MATCHED THEN UPDATE SET n = s.n + d.n", "stock")]
    public void Finds_the_tables_a_write_changes(string sql, string expected)
    {
        var tables = SqlTableParser.WrittenTables(sql);

        Assert.NotNull(tables);
        Assert.Superset(expected.Split(',').ToHashSet(), tables.ToHashSet());
    }

    [Fact]
    public void A_write_it_cannot_read_has_no_tables()
    {
        Assert.Null(SqlTableParser.WrittenTables("UPDATE t SET x = $$a$$"));
    }
}
