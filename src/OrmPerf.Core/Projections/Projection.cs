using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations.Schema;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using OrmPerf.Sql;

namespace OrmPerf.Projections;

/// <summary>
/// Builds the select list of a DTO so a query loads only the columns the DTO has, instead of <c>SELECT *</c>.
/// Columns are the DTO's public instance properties with a getter, skipping <see cref="NotMappedAttribute"/>; a
/// property's column is its <see cref="ColumnAttribute"/> name, or its name in snake_case. Each column is quoted and,
/// when its name differs from the property's, aliased to the property name so Dapper maps it without further setup.
/// Computed once per type and cached; thread-safe.
/// </summary>
public static class Projection
{
    private static readonly ConcurrentDictionary<Type, (IReadOnlyList<ProjectedColumn> Columns, string SelectList)> Cache = new();

    /// <summary>The columns of <typeparamref name="TDto"/>.</summary>
    /// <exception cref="InvalidOperationException">The type has no mappable property, or a column or property name is not a valid SQL name.</exception>
    public static IReadOnlyList<ProjectedColumn> ColumnsOf<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TDto>() => Get<TDto>().Columns;

    /// <summary>The quoted select list of <typeparamref name="TDto"/>, e.g. <c>"id", "last_login" AS "LastLogin"</c>.</summary>
    /// <exception cref="InvalidOperationException">The type has no mappable property, or a column or property name is not a valid SQL name.</exception>
    public static string SelectList<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TDto>() => Get<TDto>().SelectList;

    /// <summary>
    /// <c>SELECT {select list} FROM {table}</c>, with <paramref name="where"/> (trusted SQL with Dapper parameters) appended
    /// as a <c>WHERE</c> clause when given.
    /// </summary>
    /// <exception cref="ArgumentException">The table name is not a valid SQL name.</exception>
    public static string Select<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TDto>(string table, string? where = null) =>
        $"SELECT {SelectList<TDto>()} FROM {SqlIdentifier.QuoteQualified(table, nameof(table))}" + (string.IsNullOrWhiteSpace(where) ? "" : " WHERE " + where);

    private static (IReadOnlyList<ProjectedColumn> Columns, string SelectList) Get<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TDto>() =>
        Cache.GetOrAdd(typeof(TDto), static _ => Build(typeof(TDto)));

    private static (IReadOnlyList<ProjectedColumn>, string) Build([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type)
    {
        var columns = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetMethod is not null && p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<NotMappedAttribute>() is null)
            .Select(p => new ProjectedColumn(p.GetCustomAttribute<ColumnAttribute>()?.Name ?? SnakeCase.From(p.Name), p))
            .ToList();
        if (columns.Count == 0)
        {
            throw new InvalidOperationException($"{type} has no public readable property to project.");
        }

        try
        {
            var list = string.Join(", ", columns.Select(c =>
                string.Equals(c.Column, c.Property.Name, StringComparison.OrdinalIgnoreCase)
                    ? SqlIdentifier.Quote(c.Column)
                    : SqlIdentifier.Quote(c.Column) + " AS " + SqlIdentifier.Quote(c.Property.Name)));
            return (columns, list);
        }
        catch (ArgumentException error)
        {
            throw new InvalidOperationException($"{type} cannot be projected: {error.Message}", error);
        }
    }
}
