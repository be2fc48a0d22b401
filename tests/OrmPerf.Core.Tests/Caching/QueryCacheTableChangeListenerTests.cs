using OrmPerf.Caching;
using OrmPerf.Sql;

namespace OrmPerf.Core.Tests.Caching;

/// <summary>The listener through which a batch writer's commit drops the cached reads of the table it wrote.</summary>
public sealed class QueryCacheTableChangeListenerTests
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_written_table_drops_reads_of_it_by_name_case_and_any_schema_and_keeps_other_tables()
    {
        using var context = new QueryCacheTestContext();
        var listener = new QueryCacheTableChangeListener(context.Cache);
        var sql = new Dictionary<string, string>
        {
            ["mixed"] = "SELECT count(*) FROM \"OrderEvents\"",
            ["qualified"] = "SELECT count(*) FROM sales.\"OrderEvents\"",
            ["lower"] = "SELECT count(*) FROM orderevents",
            ["unknown"] = "SELECT count_orders()",
        };
        var keys = sql.ToDictionary(p => p.Key, p => QueryKey.Create<int>(p.Value));
        foreach (var (name, key) in keys)
        {
            await context.Cache.SetAsync(key, 1, new QueryCacheEntryOptions { Tags = SqlTableParser.TableTags(sql[name]) }, _cancellation);
        }

        await listener.OnTablesChangedAsync(["sales.OrderEvents"], _cancellation);

        Assert.False(context.Cache.TryGet<int>(keys["mixed"], out _));
        Assert.False(context.Cache.TryGet<int>(keys["qualified"], out _));
        Assert.False(context.Cache.TryGet<int>(keys["unknown"], out _));
        Assert.True(context.Cache.TryGet<int>(keys["lower"], out _)); // a different table: "OrderEvents" is not orderevents
    }
}
