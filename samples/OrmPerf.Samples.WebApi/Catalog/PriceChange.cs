namespace OrmPerf.Samples.WebApi.Catalog;

/// <summary>The body of <c>PUT /products/{id}/price</c>.</summary>
public sealed record PriceChange(decimal Price);
