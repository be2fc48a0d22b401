using Microsoft.Extensions.Logging;
using OrmPerf.Caching;
using OrmPerf.Sql;

namespace OrmPerf.Core.Tests.Caching;

public sealed class QueryCacheSecondLevelTests
{
    private static readonly QueryCacheEntryOptions OrdersTagged = new() { Tags = SqlTableParser.TableTags("SELECT * FROM orders") };

    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;
    private readonly InMemoryQueryCacheStore _store = new();

    [Fact]
    public async Task A_result_computed_by_one_cache_is_read_by_another_from_the_store()
    {
        using var first = new QueryCacheTestContext(store: _store);
        using var second = new QueryCacheTestContext(store: _store, time: first.Time);
        var key = QueryKey.Create<List<int>>("SELECT id FROM orders");

        await first.Cache.GetOrSetAsync(key, _ => new ValueTask<List<int>>([1, 2]), OrdersTagged, _cancellation);
        var read = await second.Cache.GetOrSetAsync<List<int>>(key, _ => throw new InvalidOperationException("must come from the store"), OrdersTagged, _cancellation);

        Assert.Equal([1, 2], read);
        Assert.True(second.Cache.TryGet<List<int>>(key, out _));
    }

    [Fact]
    public async Task A_stored_result_older_than_a_local_invalidation_of_its_tag_is_not_used()
    {
        using var first = new QueryCacheTestContext(store: _store);
        using var second = new QueryCacheTestContext(store: _store, time: first.Time);
        var key = QueryKey.Create<int>("SELECT count(*) FROM orders");
        await first.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(1), OrdersTagged, _cancellation);
        first.Time.Advance(TimeSpan.FromSeconds(1));

        await second.Cache.InvalidateTablesAsync(["orders"], _cancellation);
        var read = await second.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(2), OrdersTagged, _cancellation);

        Assert.Equal(2, read);
    }

    [Fact]
    public async Task A_stored_result_older_than_an_invalidation_recorded_by_the_store_is_not_used()
    {
        using var first = new QueryCacheTestContext(store: _store);
        using var second = new QueryCacheTestContext(store: _store, time: first.Time);
        var key = QueryKey.Create<int>("SELECT count(*) FROM orders");
        await first.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(1), OrdersTagged, _cancellation);
        first.Time.Advance(TimeSpan.FromSeconds(1));

        _store.InvalidatedTags[OrdersTagged.Tags[0]] = first.Time.GetUtcNow();
        var read = await second.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(2), OrdersTagged, _cancellation);

        Assert.Equal(2, read);
    }

    [Fact]
    public async Task A_tagged_result_is_read_with_its_tags_invalidation_times_in_one_store_call()
    {
        _store.ChecksTagsInRead = true;
        using var first = new QueryCacheTestContext(store: _store);
        using var second = new QueryCacheTestContext(store: _store, time: first.Time);
        var key = QueryKey.Create<int>("SELECT count(*) FROM orders");
        await first.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(1), OrdersTagged, _cancellation);
        _store.InvalidatedTags[OrdersTagged.Tags[0]] = first.Time.GetUtcNow() - TimeSpan.FromMilliseconds(1);

        var read = await second.Cache.GetOrSetAsync<int>(key, _ => throw new InvalidOperationException("must come from the store"), OrdersTagged, _cancellation);

        Assert.Equal(1, read);
        Assert.Equal(0, _store.SeparateTagChecks);
    }

    [Fact]
    public async Task A_tagged_result_invalidated_in_the_millisecond_it_was_created_is_not_used()
    {
        _store.ChecksTagsInRead = true;
        using var first = new QueryCacheTestContext(store: _store);
        using var second = new QueryCacheTestContext(store: _store, time: first.Time);
        var key = QueryKey.Create<int>("SELECT count(*) FROM orders");
        first.Time.Advance(TimeSpan.FromTicks(5_000));
        await first.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(1), OrdersTagged, _cancellation);
        // The store keeps milliseconds: an invalidation 0.3 ms after the entry was created reads as the same millisecond.
        var created = first.Time.GetUtcNow();
        _store.InvalidatedTags[OrdersTagged.Tags[0]] = created.AddTicks(-(created.Ticks % TimeSpan.TicksPerMillisecond));

        var read = await second.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(2), OrdersTagged, _cancellation);

        Assert.Equal(2, read);
        Assert.Equal(0, _store.SeparateTagChecks);
    }

    [Fact]
    public async Task A_stored_result_with_tags_the_read_did_not_check_is_checked_separately()
    {
        _store.ChecksTagsInRead = true;
        using var first = new QueryCacheTestContext(store: _store);
        using var second = new QueryCacheTestContext(store: _store, time: first.Time);
        var key = QueryKey.Create<int>("SELECT count(*) FROM orders");
        await first.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(1), OrdersTagged, _cancellation);
        first.Time.Advance(TimeSpan.FromSeconds(1));
        _store.InvalidatedTags[OrdersTagged.Tags[0]] = first.Time.GetUtcNow();

        var read = await second.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(2), new QueryCacheEntryOptions(), _cancellation);

        Assert.Equal(2, read);
        Assert.Equal(1, _store.SeparateTagChecks);
    }

    [Fact]
    public async Task An_expired_stored_result_is_not_used()
    {
        using var first = new QueryCacheTestContext(store: _store);
        using var second = new QueryCacheTestContext(store: _store, time: first.Time);
        var key = QueryKey.Create<int>("SELECT 1");
        await first.Cache.SetAsync(key, 1, new QueryCacheEntryOptions { Duration = TimeSpan.FromSeconds(10), FailSafeWindow = TimeSpan.FromMinutes(1) }, _cancellation);
        first.Time.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(2, await second.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(2), cancellationToken: _cancellation));
    }

    [Fact]
    public async Task Remove_removes_from_the_store_too()
    {
        using var context = new QueryCacheTestContext(store: _store);
        var key = QueryKey.Create<int>("SELECT 1");
        await context.Cache.SetAsync(key, 1, cancellationToken: _cancellation);
        Assert.True(_store.Payloads.ContainsKey(key.Id));

        await context.Cache.RemoveAsync(key, _cancellation);

        Assert.False(_store.Payloads.ContainsKey(key.Id));
    }

    [Fact]
    public async Task A_failing_store_is_logged_and_the_factory_result_is_still_returned()
    {
        using var context = new QueryCacheTestContext(store: _store);
        var key = QueryKey.Create<int>("SELECT 1");
        _store.Failure = new IOException("store down");

        var read = await context.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(3), cancellationToken: _cancellation);

        Assert.Equal(3, read);
        Assert.Equal(2, context.Logger.Collector.GetSnapshot().Count(r => r.Level == LogLevel.Warning && r.Exception is IOException)); // read, then write
        Assert.True(context.Cache.TryGet<int>(key, out _));
    }

    [Fact]
    public void A_store_without_serializer_type_information_is_rejected()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new QueryCache(new QueryCacheOptions(), TimeProvider.System, store: _store));

        Assert.Contains("SerializerOptions", error.Message);
    }
}
