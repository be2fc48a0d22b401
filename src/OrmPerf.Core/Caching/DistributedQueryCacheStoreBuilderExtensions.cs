using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrmPerf.Caching;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Puts the query cache's second level in the container's <see cref="IDistributedCache"/>:
/// <c>services.AddDistributedSqlServerCache(...); services.AddOrmPerf(...).AddQueryCache().AddDistributedQueryCacheStore()</c>.
/// </summary>
public static class DistributedQueryCacheStoreBuilderExtensions
{
    private const string ReflectionSerialization =
        "Without QueryCacheOptions.SerializerOptions, cached results are serialized by reflection; set source-generated options for trimmed or AOT applications.";

    /// <summary>
    /// Registers the registered <see cref="IDistributedCache"/> as the <see cref="IQueryCacheStore"/> of the unkeyed
    /// query cache (keyed <paramref name="serviceKey"/>'s, when given), over <see cref="DistributedQueryCacheStoreOptions"/>
    /// named <paramref name="serviceKey"/>'s <see cref="object.ToString"/> (the default name without a key), with tag invalidation times kept as entries of their own so no node reads an
    /// entry older than another node's invalidation. Other nodes' in-memory entries are not evicted (a distributed
    /// cache has no pub/sub); OrmPerf.Redis does that.
    /// </summary>
    /// <param name="builder">The builder from <c>AddOrmPerf</c>.</param>
    /// <param name="configure">Adjusts the options; <see langword="null"/> keeps the defaults (or what configuration binds).</param>
    /// <param name="serviceKey">The key of the query cache (<c>AddKeyedQueryCache</c>); <see langword="null"/> for <c>AddQueryCache</c>'s.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">A second level is already registered for that cache.</exception>
    /// <remarks>
    /// Register an <see cref="IDistributedCache"/> too (<c>AddDistributedMemoryCache</c>, <c>AddDistributedSqlServerCache</c>,
    /// ...). When <see cref="QueryCacheOptions.SerializerOptions"/> is not set, results are serialized with reflection.
    /// Call while configuring services (not thread-safe).
    /// </remarks>
    [RequiresUnreferencedCode(ReflectionSerialization)]
    [RequiresDynamicCode(ReflectionSerialization)]
    public static IOrmPerfBuilder AddDistributedQueryCacheStore(this IOrmPerfBuilder builder, Action<DistributedQueryCacheStoreOptions>? configure = null, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.IsRegistered(typeof(IQueryCacheStore), serviceKey))
        {
            throw new InvalidOperationException($"A second-level store is already registered for the query cache keyed '{serviceKey ?? "(none)"}'; expected one per cache.");
        }

        var name = serviceKey is null ? Options.Options.DefaultName : KeyedRegistrations.OptionsName(serviceKey, "the store's options");
        var options = services.AddOptions<DistributedQueryCacheStoreOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DistributedQueryCacheStoreOptions>, DistributedQueryCacheStoreOptionsValidator>());
        services.PostConfigure<QueryCacheOptions>(name, o => o.SerializerOptions ??= new JsonSerializerOptions { TypeInfoResolver = new DefaultJsonTypeInfoResolver() });
        services.TryAddSingleton(TimeProvider.System);
        services.Add(new ServiceDescriptor(typeof(IQueryCacheStore), serviceKey, (sp, _) => new DistributedQueryCacheStore(
            sp.GetRequiredService<IDistributedCache>(), Settings(sp, name)), ServiceLifetime.Singleton));
        services.Add(new ServiceDescriptor(typeof(IQueryCacheBackplane), serviceKey, (sp, _) => new DistributedQueryCacheTagRecorder(
            sp.GetRequiredService<IDistributedCache>(), Settings(sp, name), sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger<DistributedQueryCacheTagRecorder>() ?? (ILogger)NullLogger.Instance), ServiceLifetime.Singleton));
        return builder;
    }

    private static DistributedQueryCacheStoreOptions Settings(IServiceProvider services, string name) =>
        services.GetRequiredService<IOptionsMonitor<DistributedQueryCacheStoreOptions>>().Get(name);
}
