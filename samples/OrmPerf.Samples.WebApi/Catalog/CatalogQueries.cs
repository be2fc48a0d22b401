using Dapper;
using OrmPerf.AtomicUpdates;
using OrmPerf.Routing;

namespace OrmPerf.Samples.WebApi.Catalog;

/// <summary>
/// The queries behind <see cref="ICatalog"/>, without caching (the proxy adds it). Everything goes through the
/// request's routed data sources: reads land on a replica unless the request, or the cache fill they run for, needs a
/// write the replicas have not replayed yet; writes go to the primary and count as the request's writes.
/// </summary>
internal sealed class CatalogQueries(IConnectionRouter router, TimeProvider time) : ICatalog
{
    public async Task<Product?> GetProductAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await router.ReadDataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Product>(
            new CommandDefinition("""SELECT id, name, price, updated_at AS "UpdatedAt" FROM products WHERE id = @id""", new { id }, cancellationToken: cancellationToken));
    }

    public async Task<Customer?> GetCustomerAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await router.ReadDataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Customer>(
            new CommandDefinition("SELECT id, name, email FROM customers WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task<bool> SetPriceAsync(long id, decimal price, CancellationToken cancellationToken)
    {
        // The routed write data source: with replicas the update reads its commit position in its own round trip and
        // reports it, so the request's token covers it and the cached product reads are invalidated at it (no request's
        // next fill reads an older one). [InvalidatesCache] stays for a shop without replicas, where nothing reports.
        await using var connection = await router.WriteDataSource.OpenConnectionAsync(cancellationToken);
        var result = await RowUpdate.Of("products", "id", id)
            .Set("price", price)
            .Set("updated_at", time.GetUtcNow())
            .ExecuteAsync(connection, cancellationToken: cancellationToken);
        return result.Changed;
    }
}
