using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrmPerf.Caching;
using OrmPerf.Changes;
using OrmPerf.Consistency;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds the query cache to OrmPerf: <c>services.AddOrmPerf(...).AddQueryCache(o =&gt; ...)</c>, or
/// <c>AddKeyedQueryCache(serviceKey, o =&gt; ...)</c> for another cache with its own options and entries.
/// </summary>
public static class QueryCacheBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="IQueryCache"/> (singleton) over the default named <see cref="QueryCacheOptions"/>, using a
    /// registered <see cref="IQueryCacheStore"/> as second level and a registered <see cref="IQueryCacheBackplane"/> if
    /// there are, and an <see cref="ITableChangeListener"/> that invalidates the results over a table when an OrmPerf
    /// writer (<c>AddBatchWriter</c>) commits to it.
    /// </summary>
    /// <param name="builder">The builder from <c>AddOrmPerf</c>.</param>
    /// <param name="configure">Adjusts the options; <see langword="null"/> keeps the defaults (or what configuration binds).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">A query cache is already registered without a key; add another with <see cref="AddKeyedQueryCache(IOrmPerfBuilder, object, Action{QueryCacheOptions}?)"/>.</exception>
    /// <remarks>
    /// The options are validated when the host starts (<c>ValidateOnStart</c>) and when the cache is built. The
    /// backplane, if any, is attached when the host starts or on the cache's first use. Call while configuring services
    /// (not thread-safe, like <see cref="IServiceCollection"/>).
    /// </remarks>
    public static IOrmPerfBuilder AddQueryCache(this IOrmPerfBuilder builder, Action<QueryCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.IsRegistered(typeof(IQueryCache), serviceKey: null))
        {
            throw new InvalidOperationException(
                "An unkeyed query cache is already registered on this service collection (by AddQueryCache, or with default options by AddCachedQueries or AddRedisCache: " +
                "call AddQueryCache before them to configure it). Register another cache with AddKeyedQueryCache(serviceKey, ...).");
        }

        return Add(builder, serviceKey: null, Options.Options.DefaultName, configure);
    }

    /// <summary>
    /// Registers another <see cref="IQueryCache"/> under <paramref name="serviceKey"/> (resolve it with
    /// <c>[FromKeyedServices(serviceKey)]</c> or <c>GetRequiredKeyedService&lt;IQueryCache&gt;(serviceKey)</c>), over the
    /// <see cref="QueryCacheOptions"/> named <paramref name="serviceKey"/>'s <see cref="object.ToString"/>. Its entries,
    /// invalidations and statistics are its own; its second level and backplane are an <see cref="IQueryCacheStore"/>
    /// and <see cref="IQueryCacheBackplane"/> registered under the same key, if any.
    /// </summary>
    /// <param name="builder">The builder from <c>AddOrmPerf</c> or <c>AddKeyedOrmPerf</c>.</param>
    /// <param name="serviceKey">The cache's key.</param>
    /// <param name="configure">Adjusts the options; <see langword="null"/> keeps the defaults (or what configuration binds).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">A query cache is already registered under <paramref name="serviceKey"/>.</exception>
    public static IOrmPerfBuilder AddKeyedQueryCache(this IOrmPerfBuilder builder, object serviceKey, Action<QueryCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        return builder.AddKeyedQueryCache(serviceKey, KeyedRegistrations.OptionsName(serviceKey, "the cache's options"), configure);
    }

    /// <summary>
    /// As <see cref="AddKeyedQueryCache(IOrmPerfBuilder, object, Action{QueryCacheOptions}?)"/>, over the
    /// <see cref="QueryCacheOptions"/> named <paramref name="optionsName"/> (e.g. bound from a configuration section).
    /// </summary>
    /// <param name="builder">The builder from <c>AddOrmPerf</c> or <c>AddKeyedOrmPerf</c>.</param>
    /// <param name="serviceKey">The cache's key.</param>
    /// <param name="optionsName">The name of its options.</param>
    /// <param name="configure">Adjusts the options; <see langword="null"/> keeps the defaults (or what configuration binds).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">A query cache is already registered under <paramref name="serviceKey"/>.</exception>
    public static IOrmPerfBuilder AddKeyedQueryCache(this IOrmPerfBuilder builder, object serviceKey, string optionsName, Action<QueryCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(serviceKey);
        ArgumentNullException.ThrowIfNull(optionsName);
        if (builder.Services.IsRegistered(typeof(IQueryCache), serviceKey))
        {
            throw new InvalidOperationException($"A query cache is already registered under the key '{serviceKey}'; expected one AddKeyedQueryCache per key.");
        }

        return Add(builder, serviceKey, optionsName, configure);
    }

    /// <summary>The unkeyed cache, with default options, unless one is registered: for features that need a cache (<c>AddCachedQueries</c>).</summary>
    internal static void AddQueryCacheIfMissing(this IOrmPerfBuilder builder)
    {
        if (!builder.Services.IsRegistered(typeof(IQueryCache), serviceKey: null))
        {
            Add(builder, serviceKey: null, Options.Options.DefaultName, configure: null);
        }
    }

    private static IOrmPerfBuilder Add(IOrmPerfBuilder builder, object? serviceKey, string optionsName, Action<QueryCacheOptions>? configure)
    {
        var services = builder.Services;
        var options = services.AddOptions<QueryCacheOptions>(optionsName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QueryCacheOptions>, QueryCacheOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // The primary's positions, by the builder's key: a keyed primary's cache follows that primary's writes.
        var primaryKey = builder.ServiceKey;
        services.Add(new ServiceDescriptor(typeof(QueryCache), serviceKey, (sp, _) => new QueryCache(
            sp.GetRequiredService<IOptionsMonitor<QueryCacheOptions>>().Get(optionsName),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<QueryCache>>(),
            sp.GetKeyedService<IQueryCacheStore>(serviceKey),
            sp.GetKeyedService<IQueryCacheBackplane>(serviceKey),
            sp.GetKeyedService<IWritePositionSource>(primaryKey)), ServiceLifetime.Singleton));
        services.Add(new ServiceDescriptor(typeof(IQueryCache), serviceKey, (sp, _) => sp.GetRequiredKeyedService<QueryCache>(serviceKey), ServiceLifetime.Singleton));
        services.AddSingleton<IHostedService>(sp => new QueryCacheStartup(sp.GetRequiredKeyedService<QueryCache>(serviceKey)));
        services.AddSingleton<ITableChangeListener>(sp => new QueryCacheTableChangeListener(sp.GetRequiredKeyedService<QueryCache>(serviceKey)));
        return builder;
    }
}
