using System.Collections.Concurrent;

namespace OrmPerf.Caching;

/// <summary>
/// The canonical encoding of a result type (its full name, then its assembly's simple name), computed once per type:
/// <see cref="System.Reflection.Assembly.GetName()"/> builds a new <see cref="System.Reflection.AssemblyName"/> on every
/// call, far too slow for a key built on every cache hit. Thread-safe.
/// </summary>
internal static class QueryKeyResultTypes
{
    private static readonly ConcurrentDictionary<Type, byte[]> Encodings = new();

    public static byte[] EncodingOf(Type resultType) => Encodings.GetOrAdd(resultType, static type =>
    {
        var writer = new CanonicalKeyWriter(stackalloc byte[256]);
        try
        {
            writer.WriteString(type.FullName ?? type.Name);
            writer.WriteString(type.Assembly.GetName().Name);
            return writer.Written.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    });
}
