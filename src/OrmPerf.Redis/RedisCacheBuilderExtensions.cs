using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrmPerf.Caching;
using OrmPerf.Redis;
using OrmPerf.Redis.Backplane;
using OrmPerf.Redis.Connections;
using OrmPerf.Redis.SecondLevel;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds Redis behind the query cache: <c>services.AddOrmPerf(...).AddRedisCache(o =&gt; o.Configuration = "...")</c>, or
/// <c>AddKeyedRedisCache(serviceKey, ...)</c> behind a keyed cache.
/// </summary>
public static class RedisCacheBuilderExtensions
{
    private const string ReflectionSerialization =
        "Without QueryCacheOptions.SerializerOptions, cached results are serialized by reflection; set source-generated options for trimmed or AOT applications.";

    /// <summary>
    /// Adds Redis as the second level and backplane of the unkeyed query cache, and that cache (<c>AddQueryCache</c>,
    /// default options) unless it is registered already: call <c>AddQueryCache(o =&gt; ...)</c> first to configure it.
    /// See <see cref="AddRedisCache(IServiceCollection, Action{RedisCacheOptions})"/>.
    /// </summary>
    /// <param name="builder">The builder from <c>AddOrmPerf</c>.</param>
    /// <param name="configure">Sets at least <see cref="RedisCacheOptions.Configuration"/>.</param>
    /// <returns>The same builder.</returns>
    [RequiresUnreferencedCode(ReflectionSerialization)]
    [RequiresDynamicCode(ReflectionSerialization)]
    public static IOrmPerfBuilder AddRedisCache(this IOrmPerfBuilder builder, Action<RedisCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRedisCache(configure);
        return HasQueryCache(builder.Services, serviceKey: null) ? builder : builder.AddQueryCache();
    }

    /// <summary>
    /// Adds Redis as the second level and backplane of the query cache keyed <paramref name="serviceKey"/>, and that
    /// cache (<c>AddKeyedQueryCache</c>, default options) unless it is registered already; with its own connection,
    /// circuit breaker and <see cref="RedisCacheOptions"/> named <paramref name="serviceKey"/>'s <see cref="object.ToString"/>.
    /// Give it its own <see cref="RedisCacheOptions.KeyPrefix"/> when it shares a Redis with another cache.
    /// </summary>
    /// <param name="builder">The builder from <c>AddOrmPerf</c> or <c>AddKeyedOrmPerf</c>.</param>
    /// <param name="serviceKey">The key of the query cache.</param>
    /// <param name="configure">Sets at least <see cref="RedisCacheOptions.Configuration"/>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">Redis is already added under <paramref name="serviceKey"/>.</exception>
    /// <exception cref="ArgumentException">The key's <see cref="object.ToString"/> is empty.</exception>
    [RequiresUnreferencedCode(ReflectionSerialization)]
    [RequiresDynamicCode(ReflectionSerialization)]
    public static IOrmPerfBuilder AddKeyedRedisCache(this IOrmPerfBuilder builder, object serviceKey, Action<RedisCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(serviceKey);
        ArgumentNullException.ThrowIfNull(configure);
        if (builder.Services.Any(d => d.ServiceType == typeof(RedisCalls) && Equals(d.ServiceKey, serviceKey)))
        {
            throw new InvalidOperationException($"Redis is already added to the query cache keyed '{serviceKey}'; expected one AddKeyedRedisCache per key.");
        }

        // Named after the key as the cache is; an empty name would be the unkeyed cache's options.
        var name = serviceKey.ToString();
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"The service key of type {serviceKey.GetType().Name} has an empty ToString(); expected a non-empty one, as it names the Redis options.", nameof(serviceKey));
        }

        Add(builder.Services, serviceKey, name, configure);
        return HasQueryCache(builder.Services, serviceKey) ? builder : builder.AddKeyedQueryCache(serviceKey, name);
    }

    /// <summary>
    /// Registers Redis as the unkeyed query cache's <see cref="IQueryCacheStore"/> and <see cref="IQueryCacheBackplane"/>,
    /// over OrmPerf.Redis's own connection (not registered in the container: pass your own multiplexer with
    /// <see cref="RedisCacheOptions.ConnectionMultiplexerFactory"/> to share it).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets at least <see cref="RedisCacheOptions.Configuration"/>.</param>
    /// <returns>The same services.</returns>
    /// <exception cref="InvalidOperationException">Redis is already added to the unkeyed query cache; another cache takes <c>AddKeyedRedisCache</c>.</exception>
    /// <remarks>
    /// <para>The options are validated when the host starts (<c>ValidateOnStart</c>). The connection is made on first
    /// use (the cache's start or first read) with <c>AbortOnConnectFail=false</c> and a fail-fast backlog: a Redis that
    /// is down at start or later slows nothing down and fails nothing; it reconnects by itself.</para>
    /// <para>When <see cref="QueryCacheOptions.SerializerOptions"/> is not set, results are serialized with reflection
    /// (<see cref="DefaultJsonTypeInfoResolver"/>); set source-generated options for trimmed or AOT applications.</para>
    /// <para>Call while configuring services (not thread-safe, like <see cref="IServiceCollection"/>).</para>
    /// </remarks>
    [RequiresUnreferencedCode(ReflectionSerialization)]
    [RequiresDynamicCode(ReflectionSerialization)]
    public static IServiceCollection AddRedisCache(this IServiceCollection services, Action<RedisCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(RedisCalls) && d.ServiceKey is null))
        {
            throw new InvalidOperationException("AddRedisCache was already called on this service collection; add Redis to another query cache with AddKeyedRedisCache(serviceKey, ...).");
        }

        Add(services, serviceKey: null, Options.Options.DefaultName, configure);
        return services;
    }

    private static bool HasQueryCache(IServiceCollection services, object? serviceKey) =>
        services.Any(d => d.ServiceType == typeof(IQueryCache) && Equals(d.ServiceKey, serviceKey));

    [RequiresUnreferencedCode(ReflectionSerialization)]
    [RequiresDynamicCode(ReflectionSerialization)]
    private static void Add(IServiceCollection services, object? serviceKey, string name, Action<RedisCacheOptions> configure)
    {
        services.AddOptions<RedisCacheOptions>(name).Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisCacheOptions>, RedisCacheOptionsValidator>());
        services.PostConfigure<QueryCacheOptions>(name, options => options.SerializerOptions ??= new JsonSerializerOptions { TypeInfoResolver = new DefaultJsonTypeInfoResolver() });
        services.TryAddSingleton(TimeProvider.System);
        services.Add(new ServiceDescriptor(
            typeof(RedisConnection), serviceKey, (sp, _) => new RedisConnection(sp.GetRequiredService<IOptionsMonitor<RedisCacheOptions>>(), name), ServiceLifetime.Singleton));
        services.Add(new ServiceDescriptor(typeof(RedisCalls), serviceKey, (sp, _) => new RedisCalls(
            sp.GetRequiredKeyedService<RedisConnection>(serviceKey), Settings(sp, name), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<RedisCalls>>()), ServiceLifetime.Singleton));
        services.Add(new ServiceDescriptor(typeof(IQueryCacheStore), serviceKey, (sp, _) => new RedisQueryCacheStore(
            sp.GetRequiredKeyedService<RedisCalls>(serviceKey), Settings(sp, name), sp.GetService<ILogger<RedisQueryCacheStore>>()), ServiceLifetime.Singleton));
        services.Add(new ServiceDescriptor(typeof(RedisQueryCacheBackplane), serviceKey, (sp, _) => new RedisQueryCacheBackplane(
            sp.GetRequiredKeyedService<RedisCalls>(serviceKey), Settings(sp, name), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<RedisQueryCacheBackplane>>()), ServiceLifetime.Singleton));
        services.Add(new ServiceDescriptor(typeof(IQueryCacheBackplane), serviceKey, (sp, _) => sp.GetRequiredKeyedService<RedisQueryCacheBackplane>(serviceKey), ServiceLifetime.Singleton));
    }

    private static RedisCacheOptions Settings(IServiceProvider services, string name) => services.GetRequiredService<IOptionsMonitor<RedisCacheOptions>>().Get(name);
}
