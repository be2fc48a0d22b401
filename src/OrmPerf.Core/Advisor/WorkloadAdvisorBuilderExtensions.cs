using Microsoft.Extensions.DependencyInjection.Extensions;
using OrmPerf.Advisor;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OrmPerf's workload advisor.</summary>
public static class WorkloadAdvisorBuilderExtensions
{
    /// <summary>Registers <see cref="IWorkloadAdvisor"/> (a singleton over the primary data source: replicas keep their own statistics).</summary>
    /// <param name="builder">The builder returned by <c>AddOrmPerf</c>.</param>
    /// <returns>The same builder.</returns>
    public static IOrmPerfBuilder AddWorkloadAdvisor(this IOrmPerfBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<IWorkloadAdvisor, PostgresWorkloadAdvisor>();
        return builder;
    }
}
