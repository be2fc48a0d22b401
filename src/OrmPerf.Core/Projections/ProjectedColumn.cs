using System.Reflection;

namespace OrmPerf.Projections;

/// <summary>One column of a projection: the table column and the property it fills.</summary>
/// <param name="Column">The table column's name (unquoted).</param>
/// <param name="Property">The DTO property.</param>
public sealed record ProjectedColumn(string Column, PropertyInfo Property);
