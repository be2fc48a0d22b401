namespace OrmPerf.Caching;

/// <summary>
/// Marks a method of an interface registered with <c>AddCachedQueries</c> that invalidates tags and tables after it
/// succeeds (not when it throws). The method must return <see cref="Task"/>, <see cref="Task{TResult}"/>,
/// <see cref="ValueTask"/> or <see cref="ValueTask{TResult}"/>.
/// </summary>
/// <remarks>Read once per method when first called; set its properties only in the attribute declaration.</remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class InvalidatesCacheAttribute : Attribute
{
    /// <summary>Tags to invalidate.</summary>
    public string[] Tags { get; set; } = [];

    /// <summary>Tables the method writes; their table tags (and the catch-all tag) are invalidated.</summary>
    public string[] Tables { get; set; } = [];
}
