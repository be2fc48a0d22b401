using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

public sealed class QueryCacheStampedeTests
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Concurrent_misses_run_the_factory_once()
    {
        using var context = new QueryCacheTestContext();
        var key = QueryKey.Create<int>("SELECT count(*) FROM orders");
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;

        var callers = Enumerable.Range(0, 200)
            .Select(_ => Task.Run(() => context.Cache.GetOrSetAsync(key, async _ => { Interlocked.Increment(ref runs); return await release.Task; }, cancellationToken: _cancellation).AsTask(), _cancellation))
            .ToList();
        await Task.Delay(50, _cancellation);
        release.SetResult(42);

        Assert.All(await Task.WhenAll(callers), value => Assert.Equal(42, value));
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task A_cancelled_waiter_does_not_cancel_the_others()
    {
        using var context = new QueryCacheTestContext();
        var key = QueryKey.Create<int>("SELECT 1");
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var factoryToken = CancellationToken.None;
        using var impatient = new CancellationTokenSource();

        var first = context.Cache.GetOrSetAsync(key, async token => { factoryToken = token; return await release.Task; }, cancellationToken: impatient.Token).AsTask();
        var second = context.Cache.GetOrSetAsync<int>(key, _ => throw new InvalidOperationException("must join the running factory"), cancellationToken: _cancellation).AsTask();
        impatient.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.False(factoryToken.IsCancellationRequested);
        release.SetResult(7);
        Assert.Equal(7, await second);
    }

    [Fact]
    public async Task The_factory_is_cancelled_when_every_waiter_gave_up_and_the_next_caller_starts_afresh()
    {
        using var context = new QueryCacheTestContext();
        var key = QueryKey.Create<int>("SELECT 1");
        var factoryCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var impatient = new CancellationTokenSource();

        var first = context.Cache.GetOrSetAsync(key, async token =>
        {
            // Observed where the factory sees it, not through a token callback: the factory's own disposal of such a
            // registration can remove it before a cancelling thread (which runs callbacks newest first) reaches it.
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                factoryCancelled.SetResult();
                throw;
            }

            return 0;
        }, cancellationToken: impatient.Token).AsTask();
        impatient.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        await factoryCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), _cancellation);
        Assert.Equal(5, await context.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(5), cancellationToken: _cancellation));
    }

    [Fact]
    public async Task A_failing_factory_fails_every_waiter_with_its_exception_and_caches_nothing()
    {
        using var context = new QueryCacheTestContext();
        var key = QueryKey.Create<int>("SELECT 1");
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var failure = new TimeoutException("database down");

        var first = context.Cache.GetOrSetAsync(key, async _ => await release.Task, cancellationToken: _cancellation).AsTask();
        var second = context.Cache.GetOrSetAsync(key, async _ => await release.Task, cancellationToken: _cancellation).AsTask();
        release.SetException(failure);

        Assert.Same(failure, await Assert.ThrowsAsync<TimeoutException>(() => first));
        Assert.Same(failure, await Assert.ThrowsAsync<TimeoutException>(() => second));
        Assert.False(context.Cache.TryGet<int>(key, out _));
    }
}
