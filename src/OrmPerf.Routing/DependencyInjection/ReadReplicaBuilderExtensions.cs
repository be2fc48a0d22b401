using System.Globalization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrmPerf.Changes;
using OrmPerf.Connections;
using OrmPerf.Consistency;
using OrmPerf.Routing;
using OrmPerf.Routing.Consistency;
using OrmPerf.Routing.Probing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary><c>builder.AddReadReplicas(...)</c>: read/write routing over the primary and its streaming replicas.</summary>
public static class ReadReplicaBuilderExtensions
{
    /// <summary>
    /// Adds read replicas by connection string, named <c>replica-1</c>, <c>replica-2</c>, ... with default options.
    /// None (or <see langword="null"/>, as from a missing configuration section) is valid: every read then goes to the primary.
    /// </summary>
    /// <inheritdoc cref="AddReadReplicas(IOrmPerfBuilder, Action{ReadReplicaOptions})"/>
    public static IOrmPerfBuilder AddReadReplicas(this IOrmPerfBuilder builder, params string[]? connectionStrings)
    {
        var replicas = connectionStrings ?? [];
        return builder.AddReadReplicas(options =>
        {
            for (var i = 0; i < replicas.Length; i++)
            {
                options.Replicas.Add(new ReplicaEndpoint
                {
                    Name = string.Create(CultureInfo.InvariantCulture, $"replica-{i + 1}"),
                    ConnectionString = replicas[i],
                });
            }
        });
    }

    /// <summary>
    /// Adds read replicas and routing over the builder's primary: a scoped <see cref="IConnectionRouter"/>, one data
    /// source per replica with the pool profile of the primary, and the hosted health monitor. The options are named
    /// after the builder (<see cref="IOrmPerfBuilder.Name"/>) and validated when the host starts; they bind from
    /// configuration (<c>configuration.GetSection("Routing").Bind(o)</c> in <paramref name="configure"/>, or
    /// <c>services.Configure&lt;ReadReplicaOptions&gt;(builder.Name, section)</c>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Failover: give the primary to <c>AddOrmPerf</c> as several hosts, the primary first and then the replicas that may
    /// be promoted, with <c>Target Session Attributes=read-write</c>
    /// (<c>Host=db1:5432,db2:5432;Target Session Attributes=read-write</c>). When the primary dies, reads keep going to
    /// the replicas; once a replica is promoted it keeps serving reads (it is no longer in recovery, but the primary is
    /// unreachable or the primary's data source now reaches it), and writes resume on it once Npgsql's host recheck
    /// (<c>Host Recheck Seconds</c>, default 10) has passed, plus at most one <see cref="ReadReplicaOptions.ProbeInterval"/>.
    /// </para>
    /// <para>
    /// With a single-host primary, reads survive the same failover (on the promoted replica), but writes fail with an
    /// <see cref="Npgsql.NpgsqlException"/> until the application is given the new primary's connection string. A
    /// replica that leaves recovery while the primary still answers on another server is excluded from reads (split brain).
    /// </para>
    /// <para>
    /// On a builder from <c>AddKeyedOrmPerf(serviceKey, ...)</c> the router routes over that primary and is registered
    /// under the same key: resolve it with <c>GetRequiredKeyedService&lt;IConnectionRouter&gt;(serviceKey)</c> or
    /// <c>[FromKeyedServices(serviceKey)]</c>. On a builder from <c>AddOrmPerf</c> it is a plain registration.
    /// </para>
    /// </remarks>
    /// <param name="builder">The builder returned by <c>AddOrmPerf</c> or <c>AddKeyedOrmPerf</c>.</param>
    /// <param name="configure">Sets the replicas, lag limits, balancing, fallback and read-your-writes mode.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="InvalidOperationException"><c>AddReadReplicas</c> was already called for this builder's primary.</exception>
    public static IOrmPerfBuilder AddReadReplicas(this IOrmPerfBuilder builder, Action<ReadReplicaOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        var key = builder.ServiceKey;
        var name = builder.Name;
        if (services.Any(d => d.ServiceType == typeof(ServerSet) && Equals(d.ServiceKey, key)))
        {
            throw new InvalidOperationException(
                $"AddReadReplicas was already called for the primary {(key is null ? "of AddOrmPerf" : $"'{name}'")}; configure all its replicas in one call, or register another primary with AddKeyedOrmPerf(serviceKey, ...) and add its replicas on the builder it returns.");
        }

        services.AddOptions<ReadReplicaOptions>(name).Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReadReplicaOptions>, ReadReplicaOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // Keyed by the primary's key (a null key is a plain registration), so each primary's router routes over it.
        services.AddKeyedSingleton(key, (sp, k) => new ServerSet(
            sp.GetRequiredService<IOptionsMonitor<ReadReplicaOptions>>().Get(name),
            sp.GetRequiredKeyedService<NpgsqlDataSource>(k),
            sp.GetRequiredKeyedService<IOrmPerfDataSourceFactory>(k),
            sp.GetRequiredService<TimeProvider>(),
            watchPrimary: sp.GetKeyedService<PrimaryWatch>(k) is not null));
        services.AddKeyedScoped(key, (sp, k) => new ConnectionRouter(
            sp.GetRequiredKeyedService<ServerSet>(k),
            sp.GetService<ILoggerFactory>(),
            sp.GetKeyedServices<ITableChangeListener>(k)));
        services.AddKeyedScoped<IConnectionRouter>(key, (sp, k) => sp.GetRequiredKeyedService<ConnectionRouter>(k));
        // The query cache's consistency with the WAL: write positions for invalidations, the scope's demand for reads.
        services.AddKeyedSingleton<IWritePositionSource>(key, (sp, k) => sp.GetRequiredKeyedService<ServerSet>(k));
        services.AddKeyedScoped<IReadRequirement>(key, (sp, k) => sp.GetRequiredKeyedService<ConnectionRouter>(k));
        services.AddKeyedSingleton<ITableChangeListener>(key, (sp, k) => new RouterChangeListener(sp.GetRequiredKeyedService<ServerSet>(k)));
        // Not AddHostedService: it adds one monitor type once, and every primary with replicas needs its own probe loop.
        services.AddSingleton<IHostedService>(sp => new ReplicaHealthMonitor(sp.GetRequiredKeyedService<ServerSet>(key), sp.GetService<ILoggerFactory>()));
        return builder;
    }
}
