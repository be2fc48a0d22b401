using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrmPerf.Caching;
using OrmPerf.Consistency;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds cached query interfaces: <c>builder.AddCachedQueries&lt;IUserQueries, UserQueries&gt;()</c>.</summary>
public static class CachedQueriesBuilderExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TService"/> as a proxy over <typeparamref name="TImplementation"/> whose
    /// <see cref="CachedQueryAttribute"/> methods are served from the <see cref="IQueryCache"/> and whose
    /// <see cref="InvalidatesCacheAttribute"/> methods invalidate after success; other methods pass through. Adds the
    /// query cache with default options if it is not registered yet.
    /// </summary>
    /// <typeparam name="TService">The query interface.</typeparam>
    /// <typeparam name="TImplementation">Its implementation, built with its own dependencies from the container.</typeparam>
    /// <param name="builder">The builder from <c>AddOrmPerf</c>.</param>
    /// <param name="lifetime">The lifetime of <typeparamref name="TService"/> (and of the implementation it wraps). Default: scoped.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException"><typeparamref name="TService"/> is not an interface.</exception>
    /// <remarks>
    /// The proxy is a <see cref="System.Reflection.DispatchProxy"/>: it does not work under Native AOT. Call while configuring
    /// services (not thread-safe, like <see cref="IServiceCollection"/>).
    /// </remarks>
    [RequiresDynamicCode("DispatchProxy emits the proxy type at run time.")]
    [RequiresUnreferencedCode("The implementation is created by reflection.")]
    public static IOrmPerfBuilder AddCachedQueries<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TService, TImplementation>(
        this IOrmPerfBuilder builder, ServiceLifetime lifetime = ServiceLifetime.Scoped)
        where TService : class
        where TImplementation : class, TService
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!typeof(TService).IsInterface)
        {
            throw new ArgumentException($"AddCachedQueries needs an interface to proxy; '{typeof(TService)}' is not one.", nameof(TService));
        }

        builder.AddQueryCacheIfMissing();
        builder.Services.TryAdd(new ServiceDescriptor(typeof(TImplementation), typeof(TImplementation), lifetime));
        builder.Services.Add(new ServiceDescriptor(
            typeof(TService),
            sp => CachedQueryProxy.Create<TService>(sp.GetRequiredService<TImplementation>(), sp.GetRequiredService<IQueryCache>(), sp.GetService<IReadRequirement>()),
            lifetime));
        return builder;
    }
}
