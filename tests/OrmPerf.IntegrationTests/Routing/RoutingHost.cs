using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrmPerf.Connections;
using OrmPerf.Routing;

namespace OrmPerf.IntegrationTests.Routing;

/// <summary>A started host with OrmPerf and read routing, probing fast so that tests run in seconds.</summary>
internal sealed class RoutingHost : IAsyncDisposable
{
    private readonly IHost _host;

    private RoutingHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public static async Task<RoutingHost> StartAsync(string primary, Action<ReadReplicaOptions> configure, TimeProvider? timeProvider = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        if (timeProvider is not null)
        {
            builder.Services.AddSingleton(timeProvider);
        }

        builder.Services
            .AddOrmPerf(o =>
            {
                o.ConnectionString = primary;
                o.Pool = PoolProfile.Production with { MinPoolSize = 0, AcquireTimeout = TimeSpan.FromSeconds(3) };
            })
            .AddReadReplicas(o =>
            {
                o.ProbeInterval = TimeSpan.FromMilliseconds(100);
                // Generous: the first probe of a test run opens a cold connection on a busy two-core machine.
                o.ProbeTimeout = TimeSpan.FromSeconds(5);
                // Lag is not what most routing tests are about: the first probe has no primary history, so its lag is
                // the time since the replica's last replayed commit, which is the idle time when the primary is just
                // ahead (e.g. a minute of build before the first test). Tests about lag set their own limit.
                o.MaxReplicaLag = TimeSpan.FromMinutes(10);
                configure(o);
            });
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return new RoutingHost(host);
    }

    /// <summary>A router of a new DI scope, as one web request would get.</summary>
    public ScopedRouter NewScope()
    {
        var scope = Services.CreateAsyncScope();
        return new ScopedRouter(scope, scope.ServiceProvider.GetRequiredService<IConnectionRouter>());
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }

    internal sealed class ScopedRouter(AsyncServiceScope scope, IConnectionRouter router) : IAsyncDisposable
    {
        public IConnectionRouter Router { get; } = router;

        public ValueTask DisposeAsync() => scope.DisposeAsync();
    }
}
