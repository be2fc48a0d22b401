using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.Advisor;
using OrmPerf.Caching;
using OrmPerf.Connections;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Advisor;

/// <summary>
/// The in-process advisor reading OrmPerf's own counters: the pools' acquire waits (Npgsql's pool metrics, tied to a pool
/// by its data source's name) and the query cache's per-query hits, misses and invalidations.
/// </summary>
public sealed class WorkloadAdvisorLibraryCountersTests(TestServers servers)
{
    private const int ConcurrentQueries = 16;

    // No schema of the server's: the pool and cache findings stand alone, no other test's statements in view.
    private static readonly WorkloadAdvisorOptions NoSchema = new() { Schemas = ["wl_no_such_schema"] };

    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_pool_of_two_under_sixteen_concurrent_queries_is_named_too_small_with_its_waits()
    {
        await using var provider = Advisor(servers.Primary, PoolProfile.Production with { MinPoolSize = 0, MaxPoolSize = 2 });
        await RunConcurrentQueriesAsync(provider.GetRequiredService<NpgsqlDataSource>());

        var report = await provider.GetRequiredService<IWorkloadAdvisor>().AnalyzeAsync(NoSchema, cancellationToken: _cancellation);

        Assert.True(report.LibraryCountersRead);
        Assert.Equal(PoolVerdict.TooSmall, report.Pool.Verdict);
        var pool = Assert.Single(report.Pool.Pressure);
        Assert.Equal("primary", pool.Role);
        Assert.StartsWith("primary/Production", pool.Name);
        Assert.Equal(2, pool.MaxPoolSize);
        Assert.True(pool.TooSmall, pool.Evidence);
        Assert.True(pool.AcquireWaits >= 10, pool.Evidence);
        Assert.InRange(pool.PeakPendingRequests, 1, ConcurrentQueries - 1);
        Assert.True(pool.ExhaustedFor > TimeSpan.Zero, pool.Evidence);
        Assert.Contains($"pool '{pool.Name}' (Max Pool Size 2): {pool.AcquireWaits} opens waited for a connection", report.Pool.Evidence);
        Assert.Contains("too small for this demand", report.Pool.Evidence);
        Assert.False(report.NeedsNothing);
    }

    [Fact]
    public async Task An_ample_pool_under_the_same_load_is_not_named_and_each_pool_has_a_name_of_its_own()
    {
        await using var provider = Advisor(servers.Primary, PoolProfile.Production with { MinPoolSize = 0, MaxPoolSize = 32 });
        await using var other = Advisor(servers.Primary, PoolProfile.Production with { MinPoolSize = 0, MaxPoolSize = 2 });
        await RunConcurrentQueriesAsync(provider.GetRequiredService<NpgsqlDataSource>());
        // The other container's starved pool must not be mistaken for this one: Npgsql's metrics tell them apart by name.
        await RunConcurrentQueriesAsync(other.GetRequiredService<NpgsqlDataSource>());

        var report = await provider.GetRequiredService<IWorkloadAdvisor>().AnalyzeAsync(NoSchema, cancellationToken: _cancellation);
        var starved = await other.GetRequiredService<IWorkloadAdvisor>().AnalyzeAsync(NoSchema, cancellationToken: _cancellation);

        Assert.Equal(PoolVerdict.Fits, report.Pool.Verdict);
        var pool = Assert.Single(report.Pool.Pressure);
        Assert.Equal(0, pool.AcquireWaits);
        Assert.Equal(0, pool.Timeouts);
        Assert.False(pool.TooSmall);
        Assert.Contains("no open waited for a connection", report.Pool.Evidence);
        Assert.True(report.NeedsNothing, report.Pool.Evidence);

        Assert.Equal(PoolVerdict.TooSmall, starved.Pool.Verdict);
        Assert.NotEqual(pool.Name, Assert.Single(starved.Pool.Pressure).Name);
    }

    [Fact]
    public async Task A_cached_query_whose_table_is_written_between_every_read_is_named_and_a_stable_one_is_not()
    {
        await using var schema = await servers.CreateSchemaAsync();
        var suffix = schema.Name[2..];
        var stock = $"wl_stock_{suffix}";
        var countries = $"wl_countries_{suffix}";
        await schema.ExecuteAsync($"""
            CREATE TABLE {stock} (id int PRIMARY KEY, quantity int NOT NULL);
            INSERT INTO {stock} VALUES (1, 0);
            CREATE TABLE {countries} (code text PRIMARY KEY, name text NOT NULL);
            INSERT INTO {countries} VALUES ('fr', 'France');
            """);
        await using var provider = Advisor(schema.Primary, cache: true);
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        var cache = provider.GetRequiredService<IQueryCache>();
        var stockQuery = $"SELECT quantity FROM {stock} WHERE id = @id";
        var countryQuery = $"SELECT name FROM {countries} WHERE code = @code";
        const int reads = 120;
        for (var i = 0; i < reads; i++)
        {
            var quantity = await dataSource.QuerySingleOrDefaultCachedAsync<int>(cache, stockQuery, new { id = 1 }, cancellationToken: _cancellation);
            Assert.Equal(i, quantity);
            Assert.Equal("France", await dataSource.QuerySingleOrDefaultCachedAsync<string>(cache, countryQuery, new { code = "fr" }, cancellationToken: _cancellation));
            await using (var connection = await dataSource.OpenConnectionAsync(_cancellation))
            {
                await connection.ExecuteAsync($"UPDATE {stock} SET quantity = quantity + 1 WHERE id = 1");
            }

            await cache.InvalidateTablesAsync([stock], _cancellation);
        }

        var report = await provider.GetRequiredService<IWorkloadAdvisor>().AnalyzeAsync(new WorkloadAdvisorOptions { Schemas = [schema.Name] }, cancellationToken: _cancellation);

        var finding = Assert.Single(report.CachedQueriesNotPaying);
        Assert.Equal(stockQuery, finding.Statement);
        Assert.Equal([QueryCacheTags.ForTable(stock)], finding.Tags);
        Assert.Equal(reads, finding.Reads);
        Assert.Equal(0, finding.Hits);
        Assert.Equal(reads, finding.Misses);
        Assert.Equal(reads, finding.TagInvalidations);
        Assert.Contains($"{reads} reads through the cache: 0 hits (0.0 %), {reads} misses", finding.Evidence);
        Assert.Contains("does not pay", finding.Evidence);
        Assert.DoesNotContain(report.CachedQueriesNotPaying, f => f.Statement.Contains(countries, StringComparison.Ordinal));

        // The stable query's counters are there, and say it pays.
        var statistics = cache.GetQueryStatistics();
        var stable = Assert.Single(statistics, s => s.Statement == countryQuery);
        Assert.Equal(reads - 1, stable.Hits);
        Assert.Equal(1, stable.Misses);
        Assert.Equal(0, stable.TagInvalidations);
        Assert.False(report.NeedsNothing);
    }

    [Fact]
    public async Task Stable_cached_queries_are_not_named()
    {
        await using var schema = await servers.CreateSchemaAsync();
        var countries = $"wl_countries_{schema.Name[2..]}";
        await schema.ExecuteAsync($"""
            CREATE TABLE {countries} (code text PRIMARY KEY, name text NOT NULL);
            INSERT INTO {countries} SELECT 'c' || g, 'Country ' || g FROM generate_series(1, 10) g;
            """);
        await using var provider = Advisor(schema.Primary, cache: true);
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        var cache = provider.GetRequiredService<IQueryCache>();
        for (var i = 0; i < 200; i++)
        {
            await dataSource.QuerySingleOrDefaultCachedAsync<string>(cache, $"SELECT name FROM {countries} WHERE code = @code", new { code = "c" + (i % 10 + 1) }, cancellationToken: _cancellation);
        }

        // A write now and then is what a cache is for: 10 misses to fill, then 190 hits with one invalidation in between.
        await cache.InvalidateTablesAsync([countries], _cancellation);

        var report = await provider.GetRequiredService<IWorkloadAdvisor>().AnalyzeAsync(new WorkloadAdvisorOptions { Schemas = [schema.Name] }, cancellationToken: _cancellation);

        Assert.True(report.LibraryCountersRead);
        Assert.Empty(report.CachedQueriesNotPaying);
        var counted = Assert.Single(cache.GetQueryStatistics());
        Assert.Equal(190, counted.Hits);
        Assert.Equal(10, counted.Misses);
        Assert.Equal(1, counted.TagInvalidations);
    }

    private async Task RunConcurrentQueriesAsync(NpgsqlDataSource dataSource)
    {
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, ConcurrentQueries).Select(async _ =>
            {
                await using var connection = await dataSource.OpenConnectionAsync(_cancellation);
                await connection.ExecuteAsync(new CommandDefinition("SELECT pg_sleep(0.02)", cancellationToken: _cancellation));
            }));
        }
    }

    private static ServiceProvider Advisor(string connectionString, PoolProfile? pool = null, bool cache = false)
    {
        var services = new ServiceCollection().AddLogging();
        var builder = services.AddOrmPerf(o =>
        {
            o.ConnectionString = connectionString;
            o.Pool = pool ?? o.Pool;
        }).AddWorkloadAdvisor();
        if (cache)
        {
            builder.AddQueryCache();
        }

        return services.BuildServiceProvider();
    }
}
