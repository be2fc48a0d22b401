using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrmPerf.Caching;
using OrmPerf.Redis;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Redis behind the query cache: <c>services.AddOrmPerf(...).AddRedisCache(o =&gt; o.Configuration = "...")</c>.</summary>
public static class RedisCacheBuilderExtensions
{
    private const string ReflectionSerialization =
        "Without QueryCacheOptions.SerializerOptions, cached results are serialized by reflection; set source-generated options for trimmed or AOT applications.";

    /// <summary>
    /// Adds the query cache (<c>AddQueryCache</c>) with Redis as its second level and backplane; see
    /// <see cref="AddRedisCache(IServiceCollection, Action{RedisCacheOptions})"/>.
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
        return builder.AddQueryCache();
    }

    /// <summary>
    /// Registers Redis as the query cache's <see cref="IQueryCacheStore"/> and <see cref="IQueryCacheBackplane"/>, over
    /// one <see cref="IConnectionMultiplexer"/> per service provider (an already registered one is reused).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets at least <see cref="RedisCacheOptions.Configuration"/>.</param>
    /// <returns>The same services.</returns>
    /// <remarks>
    /// <para>The options are validated when the host starts (<c>ValidateOnStart</c>). The multiplexer is created with
    /// <c>AbortOnConnectFail=false</c> and a fail-fast backlog: a Redis that is down at start or later slows nothing
    /// down and fails nothing; it reconnects by itself.</para>
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
        services.AddOptions<RedisCacheOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisCacheOptions>, RedisCacheOptionsValidator>());
        services.PostConfigure<QueryCacheOptions>(options => options.SerializerOptions ??= new JsonSerializerOptions { TypeInfoResolver = new DefaultJsonTypeInfoResolver() });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IConnectionMultiplexer>(sp => Connect(sp.GetRequiredService<IOptions<RedisCacheOptions>>().Value));
        services.TryAddSingleton<RedisCalls>();
        services.TryAddSingleton<IQueryCacheStore, RedisQueryCacheStore>();
        services.TryAddSingleton<IQueryCacheBackplane, RedisQueryCacheBackplane>();
        return services;
    }

    private static ConnectionMultiplexer Connect(RedisCacheOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.Configuration);
        configuration.AbortOnConnectFail = false;
        // Queueing commands while disconnected would make every call wait for its timeout; failing at once is cheaper.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        return ConnectionMultiplexer.Connect(configuration);
    }
}
