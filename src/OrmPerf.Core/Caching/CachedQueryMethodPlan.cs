using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace OrmPerf.Caching;

/// <summary>
/// What the cached-query proxy does with one interface method, worked out once per method: pass it through, serve it
/// from the cache, or invalidate after it. Immutable once built; the per-method table is thread-safe.
/// </summary>
internal sealed class CachedQueryMethodPlan
{
    private static readonly ConcurrentDictionary<MethodInfo, CachedQueryMethodPlan> Plans = new();

    private CachedQueryMethodPlan(MethodInfo method)
    {
        Method = method;
        Parameters = method.GetParameters();
        CancellationTokenIndex = Array.FindIndex(Parameters, p => p.ParameterType == typeof(CancellationToken));
        var cached = method.GetCustomAttribute<CachedQueryAttribute>();
        var invalidates = method.GetCustomAttribute<InvalidatesCacheAttribute>();
        if (cached is not null && invalidates is not null)
        {
            throw new InvalidOperationException($"{Describe(method)} has both [CachedQuery] and [InvalidatesCache]; expected at most one.");
        }

        if (cached is not null)
        {
            KeyName = cached.KeyPrefix ?? Describe(method);
            EntryOptions = new QueryCacheEntryOptions
            {
                Duration = TimeSpan.FromSeconds(cached.DurationSeconds),
                Jitter = TimeSpan.FromSeconds(cached.JitterSeconds),
                FailSafeWindow = TimeSpan.FromSeconds(cached.FailSafeSeconds),
                Tags = cached.Tags.Concat(cached.Tables.Select(QueryCacheTags.ForTable)).Distinct(StringComparer.Ordinal).ToArray(),
            };
            QueryCacheEntryOptionsRules.ThrowIfInvalid(EntryOptions, nameof(method));
            ResultType = ResultOf(method, allowVoid: false) ?? throw Unsupported(method, "Task<T> or ValueTask<T>");
        }
        else if (invalidates is not null)
        {
            InvalidatedTags = invalidates.Tags
                .Concat(invalidates.Tables.Select(QueryCacheTags.ForTable))
                .Concat(invalidates.Tables.Length > 0 ? [QueryCacheTags.AnyTable] : [])
                .Distinct(StringComparer.Ordinal).ToArray();
            ResultType = ResultOf(method, allowVoid: true) ?? throw Unsupported(method, "Task, Task<T>, ValueTask or ValueTask<T>");
        }
    }

    public MethodInfo Method { get; }

    public ParameterInfo[] Parameters { get; }

    /// <summary>The name that stands for the SQL text in the key; set for cached methods.</summary>
    public string? KeyName { get; }

    public QueryCacheEntryOptions? EntryOptions { get; }

    /// <summary>Tags to invalidate after success; set for invalidating methods.</summary>
    public string[]? InvalidatedTags { get; }

    /// <summary>T of Task&lt;T&gt;/ValueTask&lt;T&gt;, <see cref="void"/> for Task/ValueTask; null for pass-through.</summary>
    public Type? ResultType { get; }

    public bool ReturnsValueTask => Method.ReturnType == typeof(ValueTask)
        || (Method.ReturnType.IsGenericType && Method.ReturnType.GetGenericTypeDefinition() == typeof(ValueTask<>));

    /// <summary>The position of the <see cref="CancellationToken"/> argument, or -1.</summary>
    public int CancellationTokenIndex { get; }

    /// <summary>Runs a call of a cached or invalidating method; null for pass-through.</summary>
    public CachedQueryHandler? Handler { get; private set; }

    [RequiresDynamicCode("Instantiates a generic handler for the method's result type.")]
    public static CachedQueryMethodPlan For(MethodInfo method) => Plans.GetOrAdd(method, static m =>
    {
        var plan = new CachedQueryMethodPlan(m);
        plan.Handler = CachedQueryHandlers.For(plan);
        return plan;
    });

    private static Type? ResultOf(MethodInfo method, bool allowVoid)
    {
        var type = method.ReturnType;
        if (allowVoid && (type == typeof(Task) || type == typeof(ValueTask)))
        {
            return typeof(void);
        }

        return type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>))
            ? type.GetGenericArguments()[0]
            : null;
    }

    private static NotSupportedException Unsupported(MethodInfo method, string expected) =>
        new($"{Describe(method)} returns '{method.ReturnType}'; a [CachedQuery] or [InvalidatesCache] method must return {expected}.");

    private static string Describe(MethodInfo method) => $"{method.DeclaringType?.FullName}.{method}";
}
