using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.Connections;

namespace OrmPerf.Benchmarks.Pooling;

/// <summary>
/// The article's first technique: open a connection, run a trivial query, close it, with the Development profile
/// (a new physical connection each time) against the Production profile (Npgsql's pool, configured by OrmPerf).
/// </summary>
[MemoryDiagnoser]
public class ConnectionOpenBenchmarks
{
    private ServiceProvider _development = null!;
    private ServiceProvider _production = null!;
    private NpgsqlDataSource _developmentSource = null!;
    private NpgsqlDataSource _productionSource = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_development, _developmentSource) = Build(PoolProfile.Development);
        (_production, _productionSource) = Build(PoolProfile.Production);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _development.Dispose();
        _production.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Development profile (no pool)")]
    public Task<object?> Development() => OpenQueryCloseAsync(_developmentSource);

    [Benchmark(Description = "Production profile (pooled)")]
    public Task<object?> Production() => OpenQueryCloseAsync(_productionSource);

    private static async Task<object?> OpenQueryCloseAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return await command.ExecuteScalarAsync();
    }

    private static (ServiceProvider, NpgsqlDataSource) Build(PoolProfile profile)
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o =>
        {
            o.ConnectionString = BenchmarkServers.Primary;
            o.Pool = profile;
        });
        var provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<NpgsqlDataSource>());
    }
}
