using System.Data.Common;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using OrmPerf;
using OrmPerf.Connections;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The entry point of OrmPerf: <c>services.AddOrmPerf(o =&gt; ...)</c>.</summary>
public static class OrmPerfServiceCollectionExtensions
{
    /// <summary>
    /// Registers OrmPerf with the primary PostgreSQL server: the validated <see cref="OrmPerfOptions"/>, the
    /// <see cref="OrmPerfDataSourceFactory"/>, and the primary's <see cref="NpgsqlDataSource"/> (also as
    /// <see cref="DbDataSource"/>), built with the configured <see cref="PoolProfile"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the connection string and the pool profile.</param>
    /// <returns>A builder that OrmPerf's other features extend.</returns>
    /// <remarks>
    /// The options are validated when the host starts (<c>ValidateOnStart</c>); outside a host, when the data source
    /// is first resolved. Calling <c>AddOrmPerf</c> twice adds the second configuration on top of the first.
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

        services.AddOptions<OrmPerfOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrmPerfOptions>, OrmPerfOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OrmPerfDataSourceFactory>();
        services.TryAddSingleton(sp => sp.GetRequiredService<OrmPerfDataSourceFactory>().CreatePrimary());
        services.TryAddSingleton<DbDataSource>(sp => sp.GetRequiredService<NpgsqlDataSource>());
        return new OrmPerfBuilder(services);
    }
}
