using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace OrmPerf.Caching;

/// <summary>Runs one call of a cached or invalidating method on behalf of a <see cref="CachedQueryProxy"/>.</summary>
internal delegate object? CachedQueryHandler(CachedQueryProxy proxy, CachedQueryMethodPlan plan, object?[] args);

/// <summary>
/// The handlers of cached and invalidating methods, one generic instantiation per result type (built once per method
/// and kept in its <see cref="CachedQueryMethodPlan"/>). Thread-safe (stateless).
/// </summary>
internal static class CachedQueryHandlers
{
    [RequiresDynamicCode("Instantiates a generic handler for the method's result type.")]
    public static CachedQueryHandler? For(CachedQueryMethodPlan plan)
    {
        if (plan.ResultType is null)
        {
            return null;
        }

        if (plan.ResultType == typeof(void))
        {
            return InvalidatingWithoutResult;
        }

        var handler = plan.EntryOptions is not null ? nameof(Cached) : nameof(Invalidating);
        return typeof(CachedQueryHandlers).GetMethod(handler, BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(plan.ResultType)
            .CreateDelegate<CachedQueryHandler>();
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Arguments of a cached method are scalars, arrays or lists; the key encodes no user type by reflection.")]
    private static object Cached<T>(CachedQueryProxy proxy, CachedQueryMethodPlan plan, object?[] args)
    {
        var tokenIndex = plan.CancellationTokenIndex;
        var arguments = new Dictionary<string, object?>(args.Length, StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (i != tokenIndex)
            {
                arguments[plan.Parameters[i].Name ?? $"arg{i}"] = args[i];
            }
        }

        var key = QueryKey.Create(plan.KeyName!, arguments, typeof(T), scope: null, operation: "method", QueryKey.XxHash);
        var callerToken = tokenIndex >= 0 ? (CancellationToken)args[tokenIndex]! : default;
        Func<CancellationToken, ValueTask<T>> factory = token => proxy.InvokeAsync<T>(plan.Method, WithToken(args, tokenIndex, token));
        // With read replicas the scope's token counts: a flight is joined only by scopes it satisfies, so the shared
        // factory (run on the first caller's implementation and router) always reads at or after every joiner's demand.
        var result = proxy.Requirement is { } requirement && proxy.Cache is QueryCache local
            ? local.GetOrSetAsync(key, factory, plan.EntryOptions, requirement, callerToken)
            : proxy.Cache.GetOrSetAsync(key, factory, plan.EntryOptions, callerToken);
        return plan.ReturnsValueTask ? result : result.AsTask();
    }

    private static object Invalidating<T>(CachedQueryProxy proxy, CachedQueryMethodPlan plan, object?[] args)
    {
        var result = InvalidatingAsync<T>(proxy, plan, args);
        return plan.ReturnsValueTask ? result : result.AsTask();
    }

    private static object InvalidatingWithoutResult(CachedQueryProxy proxy, CachedQueryMethodPlan plan, object?[] args)
    {
        var result = InvalidatingWithoutResultAsync(proxy, plan, args);
        return plan.ReturnsValueTask ? result : result.AsTask();
    }

    private static async ValueTask<T> InvalidatingAsync<T>(CachedQueryProxy proxy, CachedQueryMethodPlan plan, object?[] args)
    {
        var value = await proxy.InvokeAsync<T>(plan.Method, args).ConfigureAwait(false);
        await proxy.Cache.InvalidateTagsAsync(plan.InvalidatedTags!).ConfigureAwait(false);
        return value;
    }

    private static async ValueTask InvalidatingWithoutResultAsync(CachedQueryProxy proxy, CachedQueryMethodPlan plan, object?[] args)
    {
        await proxy.InvokeAsync(plan.Method, args).ConfigureAwait(false);
        await proxy.Cache.InvalidateTagsAsync(plan.InvalidatedTags!).ConfigureAwait(false);
    }

    /// <summary>
    /// The arguments with the caller's token replaced by the shared factory's: the one run serves every waiter, so it
    /// must not be cancelled by the first caller alone.
    /// </summary>
    private static object?[] WithToken(object?[] args, int tokenIndex, CancellationToken token)
    {
        if (tokenIndex < 0)
        {
            return args;
        }

        var copy = (object?[])args.Clone();
        copy[tokenIndex] = token;
        return copy;
    }
}
