using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

public sealed class QueryCacheTests
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stored_result_is_served_without_running_the_factory_again()
    {
        using var context = new QueryCacheTestContext();
        var key = QueryKey.Create<string>("SELECT name FROM users WHERE id = @id", new { id = 1 });
        var runs = 0;

        var first = await context.Cache.GetOrSetAsync(key, _ => new ValueTask<string>($"run {++runs}"), cancellationToken: _cancellation);
        var second = await context.Cache.GetOrSetAsync(key, _ => new ValueTask<string>($"run {++runs}"), cancellationToken: _cancellation);

        Assert.Equal("run 1", first);
        Assert.Equal("run 1", second);
        Assert.True(context.Cache.TryGet<string>(key, out var got));
        Assert.Equal("run 1", got);
    }

    [Fact]
    public async Task An_entry_expires_after_its_duration()
    {
        using var context = new QueryCacheTestContext(new QueryCacheEntryOptions { Duration = TimeSpan.FromSeconds(10) });
        var key = QueryKey.Create<int>("SELECT 1");
        await context.Cache.SetAsync(key, 1, cancellationToken: _cancellation);

        context.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.True(context.Cache.TryGet<int>(key, out _));
        context.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(context.Cache.TryGet<int>(key, out _));
    }

    [Fact]
    public async Task Jitter_extends_the_duration_by_less_than_the_jitter()
    {
        using var context = new QueryCacheTestContext();
        var options = new QueryCacheEntryOptions { Duration = TimeSpan.FromSeconds(10), Jitter = TimeSpan.FromSeconds(5) };
        var keys = Enumerable.Range(0, 50).Select(i => QueryKey.Create<int>("SELECT @i", new { i })).ToList();
        foreach (var key in keys)
        {
            await context.Cache.SetAsync(key, 1, options, _cancellation);
        }


        context.Time.Advance(TimeSpan.FromSeconds(9.999));
        Assert.All(keys, k => Assert.True(context.Cache.TryGet<int>(k, out _)));
        context.Time.Advance(TimeSpan.FromSeconds(2.5));
        var alive = keys.Count(k => context.Cache.TryGet<int>(k, out _));
        Assert.InRange(alive, 1, keys.Count - 1);
        // Duration + jitter is strictly below 15 s, so at exactly 15 s every entry has expired.
        context.Time.Advance(TimeSpan.FromSeconds(2.501));
        Assert.All(keys, k => Assert.False(context.Cache.TryGet<int>(k, out _)));
    }

    [Fact]
    public async Task Remove_drops_the_entry()
    {
        using var context = new QueryCacheTestContext();
        var key = QueryKey.Create<int>("SELECT 1");
        await context.Cache.SetAsync(key, 1, cancellationToken: _cancellation);

        await context.Cache.RemoveAsync(key, _cancellation);

        Assert.False(context.Cache.TryGet<int>(key, out _));
    }

    [Fact]
    public async Task A_key_built_for_another_result_type_is_rejected()
    {
        using var context = new QueryCacheTestContext();
        var key = QueryKey.Create<int>("SELECT 1");

        var error = Assert.Throws<ArgumentException>(() => { _ = context.Cache.SetAsync(key, "one", cancellationToken: _cancellation); });

        Assert.Contains("System.Int32", error.Message);
        Assert.Contains("System.String", error.Message);
    }

    [Fact]
    public async Task Keys_whose_hashes_collide_never_see_each_others_results()
    {
        using var context = new QueryCacheTestContext();
        var a = QueryKey.Create("SELECT 'a'", null, typeof(string), null, null, _ => UInt128.One);
        var b = QueryKey.Create("SELECT 'b'", null, typeof(string), null, null, _ => UInt128.One);
        await context.Cache.SetAsync(a, "a", cancellationToken: _cancellation);

        Assert.False(context.Cache.TryGet<string>(b, out _));
        var valueOfB = await context.Cache.GetOrSetAsync(b, _ => new ValueTask<string>("b"), cancellationToken: _cancellation);

        Assert.Equal("b", valueOfB);
        Assert.False(context.Cache.TryGet<string>(a, out _));
    }

    [Fact]
    public async Task Concurrent_callers_of_colliding_keys_do_not_share_a_factory_run()
    {
        using var context = new QueryCacheTestContext();
        var a = QueryKey.Create("SELECT 'a'", null, typeof(string), null, null, _ => UInt128.One);
        var b = QueryKey.Create("SELECT 'b'", null, typeof(string), null, null, _ => UInt128.One);
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = context.Cache.GetOrSetAsync(a, async _ => await release.Task, cancellationToken: _cancellation).AsTask();
        var second = await context.Cache.GetOrSetAsync(b, _ => new ValueTask<string>("b"), cancellationToken: _cancellation);
        release.SetResult("a");

        Assert.Equal("b", second);
        Assert.Equal("a", await first);
    }
}
