using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace OrmPerf.Caching;

/// <summary>
/// The public readable properties of a parameter type, sorted by name, found once per type (reflection is slow,
/// the set of parameter types in a program is small). Thread-safe.
/// </summary>
internal static class ParameterProperties
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Cache = new();

    [RequiresUnreferencedCode("Reads the public properties of the parameter type by reflection.")]
    public static PropertyInfo[] Of(Type type) => Cache.GetOrAdd(type, static t => t
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
        .OrderBy(p => p.Name, StringComparer.Ordinal)
        .ToArray());
}
