using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OrmPerf.MaterializedViews;
using OrmPerf.Sql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OrmPerf's materialized-view service and its refresh scheduler.</summary>
public static class MaterializedViewBuilderExtensions
{
    /// <summary>Registers <see cref="IMaterializedViews"/> (a singleton over the primary data source).</summary>
    /// <param name="builder">The builder returned by <c>AddOrmPerf</c>.</param>
    /// <returns>The same builder.</returns>
    public static IOrmPerfBuilder AddMaterializedViews(this IOrmPerfBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<PostgresMaterializedViews>();
        builder.Services.TryAddSingleton<IMaterializedViews>(sp => sp.GetRequiredService<PostgresMaterializedViews>());
        return builder;
    }

    /// <summary>
    /// Refreshes an existing materialized view every <paramref name="refreshEvery"/> from a hosted service (and registers
    /// <see cref="IMaterializedViews"/>). With several instances of the service, one refreshes per tick and the others skip.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddOrmPerf</c>.</param>
    /// <param name="name">The view's name, optionally schema-qualified; validated now.</param>
    /// <param name="refreshEvery">The interval, at least one second.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The name is not a valid SQL name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The interval is shorter than one second.</exception>
    public static IOrmPerfBuilder AddMaterializedView(this IOrmPerfBuilder builder, string name, TimeSpan refreshEvery)
    {
        ArgumentNullException.ThrowIfNull(builder);
        SqlIdentifier.QuoteQualified(name, nameof(name));
        if (refreshEvery < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(refreshEvery), refreshEvery, $"The refresh interval of materialized view '{name}' must be at least one second.");
        }

        builder.AddMaterializedViews();
        builder.Services.AddSingleton(new MaterializedViewSchedule(name, refreshEvery));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MaterializedViewRefreshScheduler>());
        return builder;
    }
}
