namespace OrmPerf.Caching;

/// <summary>
/// Marks a method of an interface registered with <c>AddCachedQueries</c> whose result is served from the
/// <see cref="IQueryCache"/>, keyed by the method and its arguments. The method must return <see cref="Task{TResult}"/>
/// or <see cref="ValueTask{TResult}"/>; a <see cref="CancellationToken"/> argument is not part of the key.
/// </summary>
/// <remarks>Read once per method when first called; set its properties only in the attribute declaration.</remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class CachedQueryAttribute : Attribute
{
    /// <summary>How long a result is fresh, in seconds. Default: 60.</summary>
    public double DurationSeconds { get; set; } = 60;

    /// <summary>Random extra lifetime in [0, this) seconds. Default: 0.</summary>
    public double JitterSeconds { get; set; }

    /// <summary>How long after expiry a result may be served when the method fails, in seconds. Default: 0.</summary>
    public double FailSafeSeconds { get; set; }

    /// <summary>Tags that invalidate the results.</summary>
    public string[] Tags { get; set; } = [];

    /// <summary>Tables the method reads: <see cref="IQueryCache.InvalidateTablesAsync"/> of one of them drops the results.</summary>
    public string[] Tables { get; set; } = [];

    /// <summary>Replaces the method's full name in the key (keeps keys stable across renames). Default: none.</summary>
    public string? KeyPrefix { get; set; }
}
