using Dapper;
using Npgsql;
using OrmPerf.AtomicUpdates;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.AtomicUpdates;

/// <summary>A caller that blocks on a partial update from a single-threaded synchronization context does not deadlock.</summary>
public sealed class RowUpdateBlockingCallerTests(TestServers servers)
{
    [Fact]
    public async Task An_update_completes_for_a_caller_that_blocks_its_own_context()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE counter (id int PRIMARY KEY, hits bigint NOT NULL); INSERT INTO counter VALUES (1, 0)");
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);

        await BlockingCaller.RunAsync(() =>
        {
            using var connection = dataSource.OpenConnection();
            return RowUpdate.Of("counter", "id", 1).Increment("hits").ExecuteAsync(connection).GetAwaiter().GetResult();
        }).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        await using var reader = await dataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1L, await reader.ExecuteScalarAsync<long>("SELECT hits FROM counter"));
    }
}
