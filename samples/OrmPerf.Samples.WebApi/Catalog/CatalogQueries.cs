using OrmPerf.AtomicUpdates;
using OrmPerf.Routing;

namespace OrmPerf.Samples.WebApi.Catalog;

/// <summary>
/// The queries behind <see cref="ICatalog"/>, without caching (the proxy adds it). Reads go through the request's
/// router, so they land on a replica unless the request must see a write the replicas have not replayed yet.
/// </summary>
internal sealed class CatalogQueries(IConnectionRouter router, TimeProvider time) : ICatalog
{
    public async Task<Product?> GetProductAsync(long id, CancellationToken cancellationToken) =>
        (await router.QueryAsync<Product>("""SELECT id, name, price, updated_at AS "UpdatedAt" FROM products WHERE id = @id""", new { id }, cancellationToken: cancellationToken))
            .SingleOrDefault();

    public async Task<Customer?> GetCustomerAsync(long id, CancellationToken cancellationToken) =>
        (await router.QueryAsync<Customer>("SELECT id, name, email FROM customers WHERE id = @id", new { id }, cancellationToken: cancellationToken))
            .SingleOrDefault();

    public async Task<bool> SetPriceAsync(long id, decimal price, CancellationToken cancellationToken)
    {
        // A write connection from the router: the request's consistency token then covers this update.
        await using var connection = await router.OpenConnectionAsync(Intent.Write, cancellationToken);
        var result = await RowUpdate.Of("products", "id", id)
            .Set("price", price)
            .Set("updated_at", time.GetUtcNow())
            .ExecuteAsync(connection, cancellationToken: cancellationToken);
        return result.Changed;
    }
}
