using System.Globalization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrmPerf.Changes;
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
    /// Adds read replicas and routing: a scoped <see cref="IConnectionRouter"/>, one data source per replica with
    /// the pool profile of <c>AddOrmPerf</c>, and the hosted health monitor. Options are validated when the host starts.
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
    /// </remarks>
    /// <param name="builder">The builder returned by <c>AddOrmPerf</c>.</param>
    /// <param name="configure">Sets the replicas, lag limits, balancing, fallback and read-your-writes mode.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IOrmPerfBuilder AddReadReplicas(this IOrmPerfBuilder builder, Action<ReadReplicaOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<ReadReplicaOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReadReplicaOptions>, ReadReplicaOptionsValidator>());
        services.TryAddSingleton<ServerSet>();
        services.TryAddScoped<ConnectionRouter>();
        services.TryAddScoped<IConnectionRouter>(sp => sp.GetRequiredService<ConnectionRouter>());
        // The query cache's consistency with the WAL: write positions for invalidations, the scope's demand for reads.
        services.TryAddSingleton<IWritePositionSource>(sp => sp.GetRequiredService<ServerSet>());
        services.TryAddScoped<IReadRequirement>(sp => sp.GetRequiredService<ConnectionRouter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITableChangeListener, RouterChangeListener>());
        services.AddHostedService<ReplicaHealthMonitor>();
        return builder;
    }
}
