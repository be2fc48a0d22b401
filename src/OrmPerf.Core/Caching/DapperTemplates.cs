using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Dapper;

namespace OrmPerf.Caching;

/// <summary>
/// The objects passed to <see cref="DynamicParameters.AddDynamicParams"/> that Dapper keeps aside as "templates"
/// and does not list in <see cref="DynamicParameters.ParameterNames"/>. Dapper exposes them nowhere publicly, so we
/// read its private field; if a Dapper version renames it we refuse to build a key instead of ignoring values that
/// would make two different queries share one.
/// </summary>
internal static class DapperTemplates
{
    private static readonly FieldInfo? TemplatesField =
        typeof(DynamicParameters).GetField("templates", BindingFlags.NonPublic | BindingFlags.Instance);

    [RequiresUnreferencedCode("Reads a private field of Dapper's DynamicParameters by reflection.")]
    public static IReadOnlyList<object> Of(DynamicParameters parameters)
    {
        if (TemplatesField is null)
        {
            throw new NotSupportedException(
                "This Dapper version's DynamicParameters has no 'templates' field, so a query-cache key cannot see every parameter; " +
                "pass an anonymous object or a dictionary instead.");
        }

        return TemplatesField.GetValue(parameters) as IReadOnlyList<object> ?? [];
    }
}
