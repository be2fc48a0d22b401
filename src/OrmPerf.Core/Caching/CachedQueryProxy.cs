using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.ExceptionServices;
using OrmPerf.Consistency;

namespace OrmPerf.Caching;

/// <summary>
/// The <see cref="DispatchProxy"/> behind <c>AddCachedQueries</c>: implements a query interface by serving
/// <see cref="CachedQueryAttribute"/> methods from the cache, invalidating after <see cref="InvalidatesCacheAttribute"/>
/// methods, and passing every other call straight to the implementation.
/// </summary>
/// <remarks>
/// DispatchProxy emits the proxy type at run time: simple and dependency-free, but not usable under Native AOT
/// (a source generator would be); it works when trimmed as long as the interface is kept, which its generic
/// annotation asks the trimmer to do. Thread-safe if the implementation is.
/// </remarks>
internal class CachedQueryProxy : DispatchProxy
{
    private object _target = null!;

    public IQueryCache Cache { get; private set; } = null!;

    /// <summary>What the proxy's scope demands of reads (its router, with read replicas); <see langword="null"/> for nothing.</summary>
    public IReadRequirement? Requirement { get; private set; }

    [RequiresDynamicCode("DispatchProxy emits the proxy type at run time.")]
    public static TService Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TService>(TService target, IQueryCache cache, IReadRequirement? requirement = null)
        where TService : class
    {
        var proxy = DispatchProxy.Create<TService, CachedQueryProxy>();
        var self = (CachedQueryProxy)(object)proxy;
        self._target = target;
        self.Cache = cache;
        self.Requirement = requirement;
        return proxy;
    }

    public async ValueTask<T> InvokeAsync<T>(MethodInfo method, object?[] args) => InvokeTarget(method, args) switch
    {
        Task<T> task => await task.ConfigureAwait(false),
        ValueTask<T> valueTask => await valueTask.ConfigureAwait(false),
        var other => throw NotATask(method, other),
    };

    public async ValueTask InvokeAsync(MethodInfo method, object?[] args)
    {
        switch (InvokeTarget(method, args))
        {
            case Task task:
                await task.ConfigureAwait(false);
                break;
            case ValueTask valueTask:
                await valueTask.ConfigureAwait(false);
                break;
            case var other:
                throw NotATask(method, other);
        }
    }

    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Create, the only way to obtain a proxy, already requires dynamic code.")]
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        args ??= [];
        var plan = CachedQueryMethodPlan.For(targetMethod);
        return plan.Handler is { } handler ? handler(this, plan, args) : InvokeTarget(targetMethod, args);
    }

    private static InvalidOperationException NotATask(MethodInfo method, object? returned) =>
        new($"{method.DeclaringType}.{method.Name} returned '{returned?.GetType().ToString() ?? "null"}' instead of its task.");

    private object? InvokeTarget(MethodInfo method, object?[] args)
    {
        try
        {
            return method.Invoke(_target, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
