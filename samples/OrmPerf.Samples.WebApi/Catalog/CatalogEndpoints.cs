namespace OrmPerf.Samples.WebApi.Catalog;

/// <summary>Product and customer reads (cached) and the price update (invalidating them).</summary>
internal static class CatalogEndpoints
{
    public static void MapCatalog(this IEndpointRouteBuilder app)
    {
        app.MapGet("/products/{id:long}", async (long id, ICatalog catalog, CancellationToken cancellationToken) =>
            await catalog.GetProductAsync(id, cancellationToken) is { } product ? Results.Ok(product) : Results.NotFound());

        app.MapGet("/customers/{id:long}", async (long id, ICatalog catalog, CancellationToken cancellationToken) =>
            await catalog.GetCustomerAsync(id, cancellationToken) is { } customer ? Results.Ok(customer) : Results.NotFound());

        app.MapPut("/products/{id:long}/price", async (long id, PriceChange change, ICatalog catalog, CancellationToken cancellationToken) =>
        {
            if (change.Price < 0)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: $"price must not be negative, got {change.Price}.");
            }

            return await catalog.SetPriceAsync(id, change.Price, cancellationToken) ? Results.NoContent() : Results.NotFound();
        });
    }
}
