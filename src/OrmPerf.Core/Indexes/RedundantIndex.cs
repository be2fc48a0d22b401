namespace OrmPerf.Indexes;

/// <summary>An index that another index of the same table makes unnecessary.</summary>
/// <param name="Index">The index that could be dropped.</param>
/// <param name="CoveredBy">The index that serves its queries.</param>
/// <param name="IsExactDuplicate">True for the same columns, operator classes, expressions and predicate; false when its key columns are a leading prefix of <paramref name="CoveredBy"/>'s.</param>
public sealed record RedundantIndex(IndexUsage Index, string CoveredBy, bool IsExactDuplicate);
