using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.Caching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Caching;

/// <summary>Cached Dapper reads on the real primary, and table invalidation making the next read see new data.</summary>
public sealed class QueryCacheDapperTests(TestServers servers)
{
    private const string OpenOrders = "SELECT id, status FROM orders WHERE status = ANY(@statuses) ORDER BY id";

    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reads_are_served_from_the_cache_until_the_table_is_invalidated()
    {
        await using var schema = await CreateOrdersAsync();
        await using var provider = Build(schema);
        var cache = provider.GetRequiredService<IQueryCache>();
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        var parameters = new { statuses = new[] { "open" } };

        var first = await dataSource.QueryCachedAsync<Order>(cache, OpenOrders, parameters, cancellationToken: _cancellation);
        await schema.ExecuteAsync("INSERT INTO orders (id, status) VALUES (3, 'open')");
        var cached = await dataSource.QueryCachedAsync<Order>(cache, OpenOrders, parameters, cancellationToken: _cancellation);
        await cache.InvalidateTablesAsync(["orders"], _cancellation);
        var fresh = await dataSource.QueryCachedAsync<Order>(cache, OpenOrders, parameters, cancellationToken: _cancellation);

        Assert.Equal([1], first.Select(o => o.Id));
        Assert.Equal([1], cached.Select(o => o.Id));
        Assert.Equal([1, 3], fresh.Select(o => o.Id));
    }

    [Fact]
    public async Task Different_parameters_are_different_cache_entries()
    {
        await using var schema = await CreateOrdersAsync();
        await using var provider = Build(schema);
        var cache = provider.GetRequiredService<IQueryCache>();
        await using var connection = await provider.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(_cancellation);

        var open = await connection.QueryCachedAsync<Order>(cache, OpenOrders, new { statuses = new[] { "open" } }, cancellationToken: _cancellation);
        var openOrShipped = await connection.QueryCachedAsync<Order>(cache, OpenOrders, new { statuses = new[] { "open", "shipped" } }, cancellationToken: _cancellation);

        var single = await connection.QuerySingleOrDefaultCachedAsync<Order>(cache, OpenOrders, new { statuses = new[] { "shipped" } }, cancellationToken: _cancellation);

        Assert.Equal([1], open.Select(o => o.Id));
        Assert.Equal([1, 2], openOrShipped.Select(o => o.Id));
        Assert.Equal(new Order(2, "shipped"), single);
    }

    [Fact]
    public async Task Single_row_reads_are_cached_and_invalidated_by_table()
    {
        await using var schema = await CreateOrdersAsync();
        await using var provider = Build(schema);
        var cache = provider.GetRequiredService<IQueryCache>();
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        const string StatusOf = "SELECT status FROM \"orders\" WHERE id = @id";

        var before = await dataSource.QuerySingleOrDefaultCachedAsync<string>(cache, StatusOf, new { id = 2 }, cancellationToken: _cancellation);
        await schema.ExecuteAsync("UPDATE orders SET status = 'delivered' WHERE id = 2");
        var cached = await dataSource.QueryFirstOrDefaultCachedAsync<string>(cache, StatusOf, new { id = 2 }, cancellationToken: _cancellation);
        var stillCached = await dataSource.QuerySingleOrDefaultCachedAsync<string>(cache, StatusOf, new { id = 2 }, cancellationToken: _cancellation);
        await cache.InvalidateTablesAsync([$"{schema.Name}.orders"], _cancellation);
        var after = await dataSource.QuerySingleOrDefaultCachedAsync<string>(cache, StatusOf, new { id = 2 }, cancellationToken: _cancellation);

        Assert.Equal("shipped", before);
        Assert.Equal("delivered", cached); // first-or-default is its own entry: it read after the update
        Assert.Equal("shipped", stillCached);
        Assert.Equal("delivered", after);
    }

    private async Task<TestSchema> CreateOrdersAsync()
    {
        var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL); INSERT INTO orders VALUES (1, 'open'), (2, 'shipped');");
        return schema;
    }

    private static ServiceProvider Build(TestSchema schema)
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = schema.Primary).AddQueryCache();
        return services.BuildServiceProvider();
    }

    private sealed record Order(int Id, string Status);
}
