using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using OrmPerf.Caching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Caching;

/// <summary>Fail-safe when the real database answers with an error.</summary>
public sealed class QueryCacheFailSafeOnPostgresTests(TestServers servers)
{
    private const string CountOrders = "SELECT count(*) FROM orders";

    private static readonly QueryCacheEntryOptions FailSafe = new() { Duration = TimeSpan.FromMinutes(1), FailSafeWindow = TimeSpan.FromMinutes(10) };

    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_failing_query_is_answered_with_the_stale_result_inside_the_window_and_fails_outside_it()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2);");
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var services = new ServiceCollection().AddSingleton<TimeProvider>(time)
            .AddOrmPerf(o => o.ConnectionString = schema.Primary).AddQueryCache().Services.BuildServiceProvider();
        var cache = services.GetRequiredService<IQueryCache>();

        var fresh = await dataSource.QueryFirstOrDefaultCachedAsync<long>(cache, CountOrders, options: FailSafe, cancellationToken: _cancellation);
        await schema.ExecuteAsync("DROP TABLE orders");
        time.Advance(TimeSpan.FromMinutes(5));
        var stale = await dataSource.QueryFirstOrDefaultCachedAsync<long>(cache, CountOrders, options: FailSafe, cancellationToken: _cancellation);
        time.Advance(TimeSpan.FromMinutes(6));
        var error = await Assert.ThrowsAsync<PostgresException>(async () =>
            await dataSource.QueryFirstOrDefaultCachedAsync<long>(cache, CountOrders, options: FailSafe, cancellationToken: _cancellation));

        Assert.Equal(2, fresh);
        Assert.Equal(2, stale);
        Assert.Equal(PostgresErrorCodes.UndefinedTable, error.SqlState);
    }
}
