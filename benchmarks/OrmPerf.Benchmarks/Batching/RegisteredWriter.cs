using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using OrmPerf.Batching;

namespace OrmPerf.Benchmarks.Batching;

/// <summary>
/// A batch writer as an application gets one: registered with <c>AddBatchWriter</c> (the writer's class is internal to
/// OrmPerf) on the benchmark's own data source, and started as a host starts it. Disposing it drains and stops the
/// writer; the data source stays the benchmark's to dispose.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
internal sealed class RegisteredWriter<T> : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private RegisteredWriter(ServiceProvider services)
    {
        _services = services;
        Writer = services.GetRequiredService<IBatchWriter<T>>();
    }

    /// <summary>The writer under test.</summary>
    public IBatchWriter<T> Writer { get; }

    /// <summary>The container the writer was registered in, for the scopes a contender makes.</summary>
    public IServiceProvider Services => _services;

    /// <summary>Registers a writer of <paramref name="map"/> on <paramref name="dataSource"/>, checks its map against the table and starts it.</summary>
    public static Task<RegisteredWriter<T>> StartAsync(NpgsqlDataSource dataSource, Action<TableMapBuilder<T>> map, Action<BatchWriterOptions>? configure = null)
    {
        var services = new ServiceCollection().AddSingleton(dataSource);
        new DataSourceBuilder(services).AddBatchWriter(map, configure);
        return StartAsync(services);
    }

    /// <summary>Builds <paramref name="services"/>, where a writer of <typeparamref name="T"/> is registered, and starts its hosted services.</summary>
    public static async Task<RegisteredWriter<T>> StartAsync(IServiceCollection services)
    {
        var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        return new RegisteredWriter<T>(provider);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _services.DisposeAsync();

    // The benchmark's data source stands for the primary that AddOrmPerf would build (its pool settings are the benchmark's).
    private sealed class DataSourceBuilder(IServiceCollection services) : IOrmPerfBuilder
    {
        public IServiceCollection Services { get; } = services;

        public object? ServiceKey => null;

        public string Name => Options.DefaultName;
    }
}
