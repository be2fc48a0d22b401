using System.Data.Common;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OrmPerf;
using OrmPerf.Connections;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The entry point of OrmPerf: <c>services.AddOrmPerf(o =&gt; ...)</c>, or <c>AddKeyedOrmPerf</c> for a second primary.</summary>
public static class OrmPerfServiceCollectionExtensions
{
    /// <summary>
    /// Registers OrmPerf with the primary PostgreSQL server: the validated <see cref="OrmPerfOptions"/>, an
    /// <see cref="IOrmPerfDataSourceFactory"/>, and the primary's <see cref="NpgsqlDataSource"/> (also as
    /// <see cref="DbDataSource"/>), built with the configured <see cref="PoolProfile"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the connection string and the pool profile.</param>
    /// <returns>A builder that OrmPerf's other features extend.</returns>
    /// <exception cref="InvalidOperationException"><c>AddOrmPerf</c> was already called on this collection; a second primary takes <see cref="AddKeyedOrmPerf"/>.</exception>
    /// <remarks>
    /// The options are validated when the host starts (<c>ValidateOnStart</c>); outside a host, when the data source
    /// is first resolved. They can also be bound from configuration: <c>services.Configure&lt;OrmPerfOptions&gt;(section)</c>.
    /// <para>
    /// The primary may be given as several hosts so that writes follow a failover:
    /// <c>Host=db1:5432,db2:5432;Target Session Attributes=read-write</c> builds Npgsql's multi-host data source, which
    /// sends every connection to the host that is currently writable (a promoted standby once Npgsql's host recheck,
    /// <c>Host Recheck Seconds</c>, has passed). Several hosts without <c>read-write</c> (or <c>primary</c>) fail
    /// validation. With a single host, writes fail while that server is down, and after a promotion until the
    /// connection string names the new primary.
    /// </para>
    /// </remarks>
    public static IOrmPerfBuilder AddOrmPerf(this IServiceCollection services, Action<OrmPerfOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.IsRegistered(typeof(IOrmPerfDataSourceFactory), serviceKey: null))
        {
            throw new InvalidOperationException(
                "AddOrmPerf was already called on this service collection; it registers one primary. Register another primary with AddKeyedOrmPerf(serviceKey, ...) and chain its features on the builder it returns.");
        }

        return Register(services, null, Options.Options.DefaultName, configure);
    }

    /// <summary>
    /// Registers a further OrmPerf primary under <paramref name="serviceKey"/>: its <see cref="OrmPerfOptions"/> named
    /// after the key, and its <see cref="IOrmPerfDataSourceFactory"/>, <see cref="NpgsqlDataSource"/> and
    /// <see cref="DbDataSource"/> as keyed services. Features chained on the returned builder use this primary.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key to resolve this primary's services with (<c>[FromKeyedServices(key)]</c>); its <see cref="object.ToString"/> names the options.</param>
    /// <param name="configure">Sets the connection string and the pool profile.</param>
    /// <returns>A builder whose <see cref="IOrmPerfBuilder.ServiceKey"/> is <paramref name="serviceKey"/>.</returns>
    /// <exception cref="ArgumentException">The key's <see cref="object.ToString"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">A primary is already registered under this key.</exception>
    public static IOrmPerfBuilder AddKeyedOrmPerf(this IServiceCollection services, object serviceKey, Action<OrmPerfOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        ArgumentNullException.ThrowIfNull(configure);
        var name = KeyedRegistrations.OptionsName(serviceKey, "the primary's options");

        if (services.IsRegistered(typeof(IOrmPerfDataSourceFactory), serviceKey))
        {
            throw new InvalidOperationException($"An OrmPerf primary is already registered under the key '{name}'.");
        }

        return Register(services, serviceKey, name, configure);
    }

    private static OrmPerfBuilder Register(IServiceCollection services, object? serviceKey, string name, Action<OrmPerfOptions> configure)
    {
        services.AddOptions<OrmPerfOptions>(name).Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrmPerfOptions>, OrmPerfOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // A null key is a plain registration (keyed resolution with a null key finds it), so AddOrmPerf keeps resolving
        // with GetRequiredService<NpgsqlDataSource>() and features resolve both cases alike.
        services.AddKeyedSingleton<OrmPerfDataSourceFactory>(serviceKey, (sp, _) => new OrmPerfDataSourceFactory(
            sp.GetRequiredService<IOptionsMonitor<OrmPerfOptions>>().Get(name),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        services.AddKeyedSingleton<IOrmPerfDataSourceFactory>(serviceKey, (sp, key) => sp.GetRequiredKeyedService<OrmPerfDataSourceFactory>(key));
        services.AddKeyedSingleton(serviceKey, (sp, key) => sp.GetRequiredKeyedService<OrmPerfDataSourceFactory>(key).CreatePrimary());
        services.AddKeyedSingleton<DbDataSource>(serviceKey, (sp, key) => sp.GetRequiredKeyedService<NpgsqlDataSource>(key));
        return new OrmPerfBuilder(services, serviceKey, name);
    }
}
