using NpgsqlTypes;
using OrmPerf.Caching;
using OrmPerf.Consistency;

namespace OrmPerf.Core.Tests.Caching;

/// <summary>
/// The WAL-position rules of the query cache, without servers: the factory plays the router, reporting where it read
/// to the <see cref="CacheFill"/> in effect, as the routed data source does.
/// </summary>
public sealed class QueryCachePositionTests
{
    private static readonly NpgsqlLogSequenceNumber Before = new(100);
    private static readonly NpgsqlLogSequenceNumber Write = new(200);
    private static readonly NpgsqlLogSequenceNumber After = new(300);
    private static readonly QueryCacheEntryOptions Tagged = new() { Tags = ["t:price"] };
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;
    private readonly QueryKey _key = QueryKey.Create<int>("SELECT amount FROM price");

    [Fact]
    public async Task A_fill_after_an_invalidation_demands_its_position_and_a_lagging_read_is_returned_but_not_stored()
    {
        using var cache = NewCache(Write);
        await cache.InvalidateTagsAsync(["t:price"], _cancellation);
        NpgsqlLogSequenceNumber? demanded = null;

        var lagging = await cache.GetOrSetAsync(_key, _ => { demanded = CacheFill.Current!.Demand; return ReadAt(Before, 1); }, Tagged, _cancellation);

        Assert.Equal(Write, demanded);
        Assert.Equal(1, lagging);
        Assert.False(cache.TryGet<int>(_key, out _));
        Assert.Equal(2, await cache.GetOrSetAsync(_key, _ => ReadAt(Write, 2), Tagged, _cancellation));
        Assert.True(cache.TryGet<int>(_key, out var stored));
        Assert.Equal(2, stored);
    }

    [Fact]
    public async Task A_caller_with_a_token_is_not_served_an_older_entry_but_a_caller_without_one_is()
    {
        using var cache = NewCache(Write);
        await cache.GetOrSetAsync(_key, _ => ReadAt(Before, 1), Tagged, _cancellation);

        var withToken = await cache.GetOrSetAsync(_key, _ => ReadAt(After, 2), Tagged, Write, _cancellation);

        Assert.Equal(2, withToken);
        Assert.Equal(2, await cache.GetOrSetAsync(_key, _ => ReadAt(After, 3), Tagged, After, _cancellation));
    }

    [Fact]
    public async Task A_flight_for_a_lower_demand_is_not_joined_and_when_it_ends_last_it_does_not_overwrite()
    {
        using var cache = NewCache(Write);
        var release = new TaskCompletionSource();
        var early = cache.GetOrSetAsync(_key, async _ => { await release.Task; return await ReadAt(Before, 1); }, Tagged, _cancellation).AsTask();
        var joinedRuns = 0;

        var late = await cache.GetOrSetAsync(_key, _ => { joinedRuns++; return ReadAt(Write, 2); }, Tagged, Write, _cancellation);
        release.SetResult();

        Assert.Equal(2, late);
        Assert.Equal(1, joinedRuns);
        Assert.Equal(1, await early);
        Assert.True(cache.TryGet<int>(_key, out var stored));
        Assert.Equal(2, stored);
    }

    [Fact]
    public async Task A_backplane_invalidation_with_a_position_makes_the_receiving_nodes_fills_demand_it()
    {
        using var cache = NewCache(Write);
        new QueryCacheBackplaneReceiver(cache).InvalidateTagsLocal(["t:price"], After);
        NpgsqlLogSequenceNumber? demanded = null;

        await cache.GetOrSetAsync(_key, _ => { demanded = CacheFill.Current!.Demand; return ReadAt(After, 1); }, Tagged, _cancellation);

        Assert.Equal(After, demanded);
    }

    [Fact]
    public async Task Without_replicas_no_fill_is_tracked_and_entries_are_stored_as_before()
    {
        using var cache = new QueryCache(new QueryCacheOptions(), TimeProvider.System);
        await cache.InvalidateTagsAsync(["t:price"], _cancellation);
        CacheFill? fill = null;

        await cache.GetOrSetAsync(_key, _ => { fill = CacheFill.Current; return ValueTask.FromResult(1); }, Tagged, _cancellation);

        Assert.Null(fill);
        Assert.True(cache.TryGet<int>(_key, out _));
    }

    private static QueryCache NewCache(NpgsqlLogSequenceNumber primaryPosition) =>
        new(new QueryCacheOptions(), TimeProvider.System, null, null, null, new FixedPositions(primaryPosition));

    // What the routed data source does when the factory opens a connection: reports the position it reads at.
    private static ValueTask<int> ReadAt(NpgsqlLogSequenceNumber position, int value)
    {
        CacheFill.Current!.Report(position);
        return ValueTask.FromResult(value);
    }

    private sealed class FixedPositions(NpgsqlLogSequenceNumber position) : IWritePositionSource
    {
        public ValueTask<NpgsqlLogSequenceNumber> CurrentAsync(CancellationToken cancellationToken) => ValueTask.FromResult(position);
    }
}
