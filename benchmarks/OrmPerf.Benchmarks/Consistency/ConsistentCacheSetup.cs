using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OrmPerf.Caching;
using OrmPerf.Routing;

namespace OrmPerf.Benchmarks.Consistency;

/// <summary>
/// The shared setup of the consistency benchmarks: a started host with the query cache and read routing over the real
/// primary and replica, one scope's router (as one request holds it), and a ten-row table on both servers.
/// </summary>
public abstract class ConsistentCacheSetup
{
    /// <summary>The benchmark schema.</summary>
    protected const string Schema = "ormperf_bench_consistency";

    /// <summary>The query every row runs.</summary>
    protected const string Sql = $"SELECT id, name, price FROM {Schema}.products WHERE category = @Category ORDER BY id";

    /// <summary>Its parameters.</summary>
    protected static readonly object Parameters = new { Category = 1 };

    private IHost _host = null!;
    private AsyncServiceScope _scope;

    /// <summary>The primary's data source (no routing).</summary>
    protected NpgsqlDataSource Primary { get; private set; } = null!;

    /// <summary>The container's cache, which tracks WAL positions because replicas are configured.</summary>
    protected IQueryCache RoutedCache { get; private set; } = null!;

    /// <summary>A cache that knows nothing of replicas or WAL positions: the baseline of both benchmarks.</summary>
    protected IQueryCache PositionlessCache { get; private set; } = null!;

    private ServiceProvider _positionless = null!;

    /// <summary>The scope's router.</summary>
    protected IConnectionRouter Router { get; private set; } = null!;

    /// <summary>Starts the host and creates the table on the primary, then waits for the replica to have it.</summary>
    protected async Task StartAsync()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddOrmPerf(o => o.ConnectionString = BenchmarkServers.Primary)
            .AddQueryCache()
            .AddReadReplicas(o =>
            {
                o.Replicas.Add(new() { Name = "replica-1", ConnectionString = BenchmarkServers.Replica });
                o.MaxReplicaLag = TimeSpan.FromMinutes(10);
            });
        _host = builder.Build();
        await _host.StartAsync();
        Primary = _host.Services.GetRequiredService<NpgsqlDataSource>();
        RoutedCache = _host.Services.GetRequiredService<IQueryCache>();
        // A container without replicas: its cache knows nothing of WAL positions.
        _positionless = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = BenchmarkServers.Primary).AddQueryCache().Services.BuildServiceProvider();
        PositionlessCache = _positionless.GetRequiredService<IQueryCache>();
        _scope = _host.Services.CreateAsyncScope();
        Router = _scope.ServiceProvider.GetRequiredService<IConnectionRouter>();
        await using (var connection = await Primary.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"""
                DROP SCHEMA IF EXISTS {Schema} CASCADE;
                CREATE SCHEMA {Schema};
                CREATE TABLE {Schema}.products (id int PRIMARY KEY, category int NOT NULL, name text NOT NULL, price numeric(10, 2) NOT NULL);
                INSERT INTO {Schema}.products SELECT i, i % 10, 'product ' || i, i * 1.25 FROM generate_series(1, 100) AS i;
                ANALYZE {Schema}.products;
                """);
        }

        // Reads land on the replica once it has the table and a probe has seen it.
        for (var attempt = 0; ; attempt++)
        {
            await using var connection = await Router.OpenConnectionAsync(Intent.Read);
            if (await connection.ExecuteScalarAsync<bool>($"SELECT pg_is_in_recovery() AND to_regclass('{Schema}.products') IS NOT NULL"))
            {
                break;
            }

            if (attempt > 300)
            {
                throw new InvalidOperationException("Reads did not reach the replica with the benchmark table within 30 s.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Drops the table and stops the host.</summary>
    protected async Task StopAsync()
    {
        await using (var connection = await Primary.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
        }

        await _positionless.DisposeAsync();
        await _scope.DisposeAsync();
        await _host.StopAsync();
        _host.Dispose();
    }

    /// <summary>Checks, before measuring, that the baseline and the contender both read the category's ten rows.</summary>
    protected static void ExpectTenRowsEach(IReadOnlyList<Product> baseline, IReadOnlyList<Product> contender)
    {
        if (baseline.Count != 10 || contender.Count != 10)
        {
            throw new InvalidOperationException($"Expected 10 rows from each path, got {baseline.Count} and {contender.Count}.");
        }
    }

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
