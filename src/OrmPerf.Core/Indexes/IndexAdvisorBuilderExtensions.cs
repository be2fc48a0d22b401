using System.Data.Common;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OrmPerf.Indexes;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OrmPerf's index advisor.</summary>
public static class IndexAdvisorBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="IIndexAdvisor"/> (a singleton over the builder's primary data source). One per container:
    /// the first builder that adds it gives its data source.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddOrmPerf</c> or <c>AddKeyedOrmPerf</c>.</param>
    /// <returns>The same builder.</returns>
    public static IOrmPerfBuilder AddIndexAdvisor(this IOrmPerfBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var primaryKey = builder.ServiceKey;
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<IIndexAdvisor>(sp => new PostgresIndexAdvisor(
            sp.GetRequiredKeyedService<DbDataSource>(primaryKey),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<PostgresIndexAdvisor>>()));
        return builder;
    }
}
