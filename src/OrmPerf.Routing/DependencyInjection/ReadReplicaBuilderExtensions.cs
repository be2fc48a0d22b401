using System.Globalization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrmPerf.Routing;
using OrmPerf.Routing.Health;
using OrmPerf.Routing.Options;

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
        services.TryAddScoped<IConnectionRouter, ConnectionRouter>();
        services.AddHostedService<ReplicaHealthMonitor>();
        return builder;
    }
}
