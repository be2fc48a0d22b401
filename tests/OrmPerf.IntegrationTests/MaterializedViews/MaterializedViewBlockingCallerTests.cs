using Dapper;
using Npgsql;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.MaterializedViews;

namespace OrmPerf.IntegrationTests.MaterializedViews;

/// <summary>A caller that blocks on creating and refreshing a view from a single-threaded synchronization context does not deadlock.</summary>
public sealed class MaterializedViewBlockingCallerTests(TestServers servers)
{
    [Fact]
    public async Task Creating_and_refreshing_a_view_complete_for_a_caller_that_blocks_its_own_context()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE counter (id int PRIMARY KEY, hits bigint NOT NULL); INSERT INTO counter VALUES (1, 0)");
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var views = new PostgresMaterializedViews(dataSource, TimeProvider.System);

        var outcome = await BlockingCaller.RunAsync(() =>
        {
            views.EnsureCreatedAsync("counter_total", "SELECT 1 AS id, sum(hits) AS hits FROM counter", ["id"]).GetAwaiter().GetResult();
            using (var connection = dataSource.OpenConnection())
            {
                connection.Execute("UPDATE counter SET hits = 7");
            }

            return views.RefreshAsync("counter_total").GetAwaiter().GetResult().Outcome;
        }).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(MaterializedViewRefreshOutcome.Concurrently, outcome);
        await using var reader = await dataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        Assert.Equal(7L, await reader.ExecuteScalarAsync<long>("SELECT hits FROM counter_total"));
    }
}
