using Microsoft.Extensions.DependencyInjection;
using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

public sealed class CachedQueriesTests
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    public interface IUserQueries
    {
        [CachedQuery(Tables = ["users"])]
        Task<string> GetNameAsync(int id, CancellationToken cancellationToken);

        [CachedQuery(Tags = ["ranking"], KeyPrefix = "top-users")]
        ValueTask<IReadOnlyList<int>> GetTopAsync(int count);

        [InvalidatesCache(Tables = ["users"])]
        Task RenameAsync(int id, string name);

        [InvalidatesCache(Tags = ["ranking"])]
        ValueTask<int> RecomputeRankingAsync();

        [InvalidatesCache(Tables = ["users"])]
        Task FailAsync();

        Task<string> GetUncachedAsync(int id);

        [CachedQuery]
        string NotAsync();
    }

    [Fact]
    public async Task Task_and_ValueTask_methods_are_served_from_the_cache_per_argument()
    {
        await using var provider = Build();
        var queries = provider.GetRequiredService<IUserQueries>();
        var implementation = provider.GetRequiredService<UserQueries>();

        Assert.Equal("user 1 v0", await queries.GetNameAsync(1, _cancellation));
        Assert.Equal("user 1 v0", await queries.GetNameAsync(1, _cancellation));
        Assert.Equal("user 2 v0", await queries.GetNameAsync(2, _cancellation));
        Assert.Equal([1, 2, 3], await queries.GetTopAsync(3));
        Assert.Equal([1, 2, 3], await queries.GetTopAsync(3));

        Assert.Equal(2, implementation.Calls[nameof(IUserQueries.GetNameAsync)]);
        Assert.Equal(1, implementation.Calls[nameof(IUserQueries.GetTopAsync)]);
    }

    [Fact]
    public async Task Invalidating_methods_drop_the_tagged_results_after_they_succeed()
    {
        await using var provider = Build();
        var queries = provider.GetRequiredService<IUserQueries>();

        await queries.GetNameAsync(1, _cancellation);
        await queries.GetTopAsync(3);
        await queries.RenameAsync(1, "ann");
        Assert.Equal("user 1 v1", await queries.GetNameAsync(1, _cancellation));
        Assert.Equal([1, 2, 3], await queries.GetTopAsync(3));
        Assert.Equal(1, provider.GetRequiredService<UserQueries>().Calls[nameof(IUserQueries.GetTopAsync)]);
        Assert.Equal(7, await queries.RecomputeRankingAsync());
        await queries.GetTopAsync(3);

        Assert.Equal(2, provider.GetRequiredService<UserQueries>().Calls[nameof(IUserQueries.GetTopAsync)]);
    }

    [Fact]
    public async Task A_failing_invalidating_method_throws_its_exception_and_invalidates_nothing()
    {
        await using var provider = Build();
        var queries = provider.GetRequiredService<IUserQueries>();
        await queries.GetNameAsync(1, _cancellation);

        await Assert.ThrowsAsync<InvalidOperationException>(() => queries.FailAsync());

        Assert.Equal("user 1 v0", await queries.GetNameAsync(1, _cancellation));
    }

    [Fact]
    public async Task Methods_without_attributes_pass_through()
    {
        await using var provider = Build();
        var queries = provider.GetRequiredService<IUserQueries>();

        await queries.GetUncachedAsync(1);
        await queries.GetUncachedAsync(1);

        Assert.Equal(2, provider.GetRequiredService<UserQueries>().Calls[nameof(IUserQueries.GetUncachedAsync)]);
    }

    [Fact]
    public async Task A_cached_method_that_is_not_async_is_rejected_naming_it()
    {
        await using var provider = Build();
        var queries = provider.GetRequiredService<IUserQueries>();

        var error = Assert.Throws<NotSupportedException>(() => queries.NotAsync());

        Assert.Contains(nameof(IUserQueries.NotAsync), error.Message);
    }

    [Fact]
    public void A_class_service_is_rejected()
    {
        var builder = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1");

        Assert.Throws<ArgumentException>(() => builder.AddCachedQueries<UserQueries, UserQueries>());
    }

    private static ServiceProvider Build()
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1").AddCachedQueries<IUserQueries, UserQueries>(ServiceLifetime.Singleton);
        return services.BuildServiceProvider();
    }

    public sealed class UserQueries : IUserQueries
    {
        private int _version;

        public Dictionary<string, int> Calls { get; } = [];

        public Task<string> GetNameAsync(int id, CancellationToken cancellationToken)
        {
            Count(nameof(GetNameAsync));
            return Task.FromResult($"user {id} v{_version}");
        }

        public ValueTask<IReadOnlyList<int>> GetTopAsync(int count)
        {
            Count(nameof(GetTopAsync));
            return new ValueTask<IReadOnlyList<int>>(Enumerable.Range(1, count).ToList());
        }

        public Task RenameAsync(int id, string name)
        {
            _version++;
            return Task.CompletedTask;
        }

        public ValueTask<int> RecomputeRankingAsync() => new(7);

        public Task FailAsync() => Task.FromException(new InvalidOperationException("write failed"));

        public Task<string> GetUncachedAsync(int id) => Task.FromResult($"call {Count(nameof(GetUncachedAsync))}");

        public string NotAsync() => "x";

        private int Count(string method)
        {
            lock (Calls)
            {
                Calls[method] = Calls.GetValueOrDefault(method) + 1;
                return Calls[method];
            }
        }
    }
}
