namespace OrmPerf.Samples.WebApi.Catalog;

/// <summary>A customer of the shop.</summary>
public sealed record Customer(long Id, string Name, string Email);
