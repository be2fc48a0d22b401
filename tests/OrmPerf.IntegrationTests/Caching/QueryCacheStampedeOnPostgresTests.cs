using Microsoft.Extensions.DependencyInjection;
using Dapper;
using Npgsql;
using OrmPerf.Caching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Caching;

/// <summary>Stampede protection measured where it matters: on the database server.</summary>
public sealed class QueryCacheStampedeOnPostgresTests(TestServers servers)
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_thousand_concurrent_requests_for_a_cold_key_reach_the_server_once()
    {
        await using var schema = await servers.CreateSchemaAsync();
        // The function logs every call in a table, so the count is taken on the server, not in the factory.
        await schema.ExecuteAsync("""
            CREATE TABLE calls (at timestamptz NOT NULL DEFAULT clock_timestamp());
            CREATE FUNCTION slow_total() RETURNS integer LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO calls DEFAULT VALUES;
                PERFORM pg_sleep(0.3);
                RETURN 42;
            END $$;
            """);
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        await using var services = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = schema.Primary).AddQueryCache().Services.BuildServiceProvider();
        var cache = services.GetRequiredService<IQueryCache>();

        using var start = new ManualResetEventSlim();
        var requests = Enumerable.Range(0, 1000).Select(_ => Task.Run(async () =>
        {
            start.Wait(_cancellation);
            return await dataSource.QueryFirstOrDefaultCachedAsync<int>(cache, "SELECT slow_total()", cancellationToken: _cancellation);
        }, _cancellation)).ToList();
        start.Set();
        var results = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(60), _cancellation);

        Assert.All(results, r => Assert.Equal(42, r));
        await using var connection = await dataSource.OpenConnectionAsync(_cancellation);
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM calls"));
    }
}
