using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

/// <summary>The second level over an <see cref="IDistributedCache"/>, on Microsoft's in-memory implementation shared by two nodes.</summary>
public sealed class DistributedQueryCacheStoreTests
{
    private static readonly QueryCacheEntryOptions Orders = new() { Duration = TimeSpan.FromMinutes(5), Tags = [QueryCacheTags.ForTable("orders")] };
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;
    private readonly MemoryDistributedCache _shared = new(Options.Create(new MemoryDistributedCacheOptions()));

    [Fact]
    public async Task A_result_computed_on_one_node_is_read_from_the_store_by_another()
    {
        await using var nodeA = Node();
        await using var nodeB = Node();
        var key = await CountOrdersAsync(nodeA);

        var runs = 0;
        var read = await Cache(nodeB).GetOrSetAsync(key, _ => { runs++; return ValueTask.FromResult(0); }, Orders, _cancellation);

        Assert.Equal((7, 0), (read, runs));
        Assert.NotNull(await _shared.GetAsync("test:q:" + key.Id, _cancellation));
    }

    [Fact]
    public async Task A_tag_invalidated_on_one_node_keeps_the_older_stored_entry_from_another_node()
    {
        await using var nodeA = Node();
        await using var nodeB = Node();
        var key = await CountOrdersAsync(nodeA);
        await Task.Delay(5, _cancellation); // the invalidation time is kept to the millisecond

        await Cache(nodeA).InvalidateTablesAsync(["orders"], _cancellation);
        var read = await Cache(nodeB).GetOrSetAsync(key, _ => ValueTask.FromResult(8), Orders, _cancellation);

        Assert.Equal(8, read);
        Assert.NotNull(await _shared.GetAsync("test:tag:" + QueryCacheTags.ForTable("orders"), _cancellation));
    }

    [Fact]
    public void Options_bind_from_configuration_and_bad_values_are_rejected_together()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Store:KeyPrefix"] = "",
            ["Store:TagRetention"] = "-00:00:01",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IDistributedCache>(_shared);
        services.Configure<DistributedQueryCacheStoreOptions>(configuration.GetSection("Store"));
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1").AddQueryCache().AddDistributedQueryCacheStore();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IQueryCache>());

        Assert.Contains("KeyPrefix is ''", error.Message);
        Assert.Contains("TagRetention is -00:00:01", error.Message);
    }

    private ServiceProvider Node()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IDistributedCache>(_shared);
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1").AddQueryCache().AddDistributedQueryCacheStore(o => o.KeyPrefix = "test:");
        return services.BuildServiceProvider();
    }

    /// <summary>Caches 7 as the order count on <paramref name="node"/>; returns its key.</summary>
    private async Task<QueryKey> CountOrdersAsync(ServiceProvider node)
    {
        var key = QueryKey.Create<int>("SELECT count(*) FROM orders");
        await Cache(node).GetOrSetAsync(key, _ => ValueTask.FromResult(7), Orders, _cancellation);
        return key;
    }

    private static IQueryCache Cache(ServiceProvider node) => node.GetRequiredService<IQueryCache>();
}
