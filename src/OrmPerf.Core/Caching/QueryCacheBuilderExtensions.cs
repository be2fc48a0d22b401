using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrmPerf.Caching;
using OrmPerf.Changes;
using OrmPerf.Consistency;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the query cache to OrmPerf: <c>services.AddOrmPerf(...).AddQueryCache(o =&gt; ...)</c>.</summary>
public static class QueryCacheBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="IQueryCache"/> (a <see cref="QueryCache"/>, singleton) with validated
    /// <see cref="QueryCacheOptions"/>, using a registered <see cref="IQueryCacheStore"/> as second level and a registered
    /// <see cref="IQueryCacheBackplane"/> if there are, and an <see cref="ITableChangeListener"/> that invalidates the
    /// results over a table when an OrmPerf writer (<c>AddBatchWriter</c>) commits to it.
    /// </summary>
    /// <param name="builder">The builder from <c>AddOrmPerf</c>.</param>
    /// <param name="configure">Adjusts the options; <see langword="null"/> keeps the defaults.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// The options are validated when the host starts (<c>ValidateOnStart</c>) and when the cache is built. Call while
    /// configuring services (not thread-safe, like <see cref="IServiceCollection"/>); calling it again keeps the first cache.
    /// </remarks>
    public static IOrmPerfBuilder AddQueryCache(this IOrmPerfBuilder builder, Action<QueryCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<QueryCacheOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QueryCacheOptions>, QueryCacheOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(sp => new QueryCache(
            sp.GetRequiredService<IOptions<QueryCacheOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<QueryCache>>(), sp.GetService<IQueryCacheStore>(), sp.GetService<IQueryCacheBackplane>(),
            sp.GetService<IWritePositionSource>()));
        builder.Services.TryAddSingleton<IQueryCache>(sp => sp.GetRequiredService<QueryCache>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITableChangeListener, QueryCacheTableChangeListener>());
        return builder;
    }
}
