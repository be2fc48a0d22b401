
namespace OrmPerf.Routing.Tests;

public sealed class PrimaryOnlySqlTests
{
    [Theory]
    [InlineData("SELECT * FROM orders WHERE id = @id FOR UPDATE")]
    [InlineData("select * from orders for no key update skip locked")]
    [InlineData("SELECT * FROM orders FOR SHARE OF orders")]
    [InlineData("SELECT * FROM orders\nFOR\tKEY   SHARE")]
    [InlineData("WITH moved AS (DELETE FROM inbox RETURNING *) SELECT count(*) FROM moved")]
    [InlineData("with x as (update orders set n = n + 1 returning id) select id from x")]
    [InlineData("WITH RECURSIVE x AS (SELECT 1) INSERT INTO t SELECT * FROM x")]
    [InlineData("INSERT INTO t VALUES (1) RETURNING id")]
    [InlineData("  -- leading comment\n  UPDATE t SET a = 1")]
    [InlineData("CALL do_things()")]
    public void Locking_and_writing_sql_needs_the_primary(string sql) => Assert.True(PrimaryOnlySql.Requires(sql));

    [Theory]
    [InlineData("SELECT * FROM orders WHERE id = @id")]
    [InlineData("SELECT 'for update' AS note, \"for share\" FROM t")]
    [InlineData("SELECT * FROM t -- FOR UPDATE\n")]
    [InlineData("SELECT /* for update /* nested */ still comment */ 1")]
    [InlineData("SELECT $$ for update $$, $tag$ delete $tag$")]
    [InlineData("SELECT E'it\\'s for update'")]
    [InlineData("WITH recent AS (SELECT * FROM orders) SELECT * FROM recent")]
    [InlineData("SELECT updated_at, deleted FROM t")]
    [InlineData("VALUES (1), (2)")]
    [InlineData("TABLE orders")]
    [InlineData("EXPLAIN SELECT 1")]
    [InlineData("SHOW search_path")]
    [InlineData("")]
    public void Plain_reads_may_go_to_a_replica(string sql) => Assert.False(PrimaryOnlySql.Requires(sql));
}
