namespace OrmPerf.Samples.WebApi.Catalog;

/// <summary>A product of the shop.</summary>
public sealed record Product(long Id, string Name, decimal Price, DateTime UpdatedAt);
