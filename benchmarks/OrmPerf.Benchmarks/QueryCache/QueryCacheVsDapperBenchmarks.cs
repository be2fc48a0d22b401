using BenchmarkDotNet.Attributes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.Caching;

namespace OrmPerf.Benchmarks.QueryCache;

/// <summary>
/// The same ten-row query on the real primary: Dapper on a pooled connection every time, against OrmPerf's
/// <c>QueryCachedAsync</c> on a warm entry (key built and SQL tags looked up per call, as a caller would use it).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class QueryCacheVsDapperBenchmarks
{
    private const string Schema = "ormperf_bench_query_cache";
    private const string Sql = $"SELECT id, name, price FROM {Schema}.products WHERE category = @Category ORDER BY id";
    private static readonly object Parameters = new { Category = 1 };

    private ServiceProvider _provider = null!;
    private NpgsqlDataSource _primary = null!;
    private IQueryCache _cache = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = BenchmarkServers.Primary).AddQueryCache();
        _provider = services.BuildServiceProvider();
        _primary = _provider.GetRequiredService<NpgsqlDataSource>();
        _cache = _provider.GetRequiredService<IQueryCache>();
        await using (var connection = await _primary.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"""
                DROP SCHEMA IF EXISTS {Schema} CASCADE;
                CREATE SCHEMA {Schema};
                CREATE TABLE {Schema}.products (id int PRIMARY KEY, category int NOT NULL, name text NOT NULL, price numeric(10, 2) NOT NULL);
                INSERT INTO {Schema}.products SELECT i, i % 10, 'product ' || i, i * 1.25 FROM generate_series(1, 100) AS i;
                ANALYZE {Schema}.products;
                """);
        }

        var direct = await DapperDirect();
        var cached = await OrmPerfCached();
        if (direct.Count != 10 || cached.Count != 10)
        {
            throw new InvalidOperationException($"Expected 10 rows from each path, got {direct.Count} direct and {cached.Count} cached.");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await using (var connection = await _primary.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
        }

        await _provider.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "Dapper QueryAsync on the primary")]
    public async Task<IReadOnlyList<Product>> DapperDirect()
    {
        await using var connection = await _primary.OpenConnectionAsync();
        return (await connection.QueryAsync<Product>(Sql, Parameters)).AsList();
    }

    [Benchmark(Description = "OrmPerf QueryCachedAsync (warm)")]
    public ValueTask<IReadOnlyList<Product>> OrmPerfCached() =>
        _primary.QueryCachedAsync<Product>(_cache, Sql, Parameters);

    /// <summary>A row of the benchmark table.</summary>
    public sealed class Product
    {
        /// <summary>The key.</summary>
        public int Id { get; set; }

        /// <summary>The name.</summary>
        public string Name { get; set; } = "";

        /// <summary>The price.</summary>
        public decimal Price { get; set; }
    }
}
