using System.IO.Hashing;
using System.Text;

namespace OrmPerf.MaterializedViews;

/// <summary>
/// The advisory-lock key of a view's refresh. It must be equal in every process and version of the service, so it is
/// XxHash64 of the resolved, schema-qualified name (never <see cref="string.GetHashCode()"/>, which is randomised per process).
/// </summary>
internal static class MaterializedViewLockKey
{
    public static long For(string resolvedQualifiedName) =>
        unchecked((long)XxHash64.HashToUInt64(Encoding.UTF8.GetBytes("ormperf:mv:refresh:" + resolvedQualifiedName)));

    /// <summary>Serialises DDL of the bookkeeping table and of views across processes.</summary>
    public static long Ddl { get; } = For("\0ddl");
}
