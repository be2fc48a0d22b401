using Microsoft.Extensions.DependencyInjection.Extensions;
using OrmPerf.Indexes;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OrmPerf's index advisor.</summary>
public static class IndexAdvisorBuilderExtensions
{
    /// <summary>Registers <see cref="IIndexAdvisor"/> (a singleton over the primary data source).</summary>
    /// <param name="builder">The builder returned by <c>AddOrmPerf</c>.</param>
    /// <returns>The same builder.</returns>
    public static IOrmPerfBuilder AddIndexAdvisor(this IOrmPerfBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<IIndexAdvisor, PostgresIndexAdvisor>();
        return builder;
    }
}
