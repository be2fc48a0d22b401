using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using OrmPerf.Advisor;
using OrmPerf.Caching;
using OrmPerf.Connections;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OrmPerf's workload advisor.</summary>
public static class WorkloadAdvisorBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="IWorkloadAdvisor"/> (a singleton over the builder's primary data source: replicas keep their
    /// own statistics). One per container: the first builder that adds it gives its data source and pool counters.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddOrmPerf</c> or <c>AddKeyedOrmPerf</c>.</param>
    /// <returns>The same builder.</returns>
    public static IOrmPerfBuilder AddWorkloadAdvisor(this IOrmPerfBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var primaryKey = builder.ServiceKey;
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<IWorkloadAdvisor>(sp => new PostgresWorkloadAdvisor(
            sp.GetRequiredKeyedService<NpgsqlDataSource>(primaryKey),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetKeyedService<OrmPerfDataSourceFactory>(primaryKey),
            sp.GetService<IQueryCache>()));
        return builder;
    }
}
