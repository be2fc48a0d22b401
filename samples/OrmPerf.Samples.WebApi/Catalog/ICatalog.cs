using OrmPerf.Caching;

namespace OrmPerf.Samples.WebApi.Catalog;

/// <summary>
/// Products and customers, read through the query cache (<c>AddCachedQueries</c>): a cached result is served from
/// memory, then Redis, and only then from PostgreSQL. A price change drops every cached product read.
/// </summary>
public interface ICatalog
{
    /// <summary>The product, or null; cached for a minute, dropped when <c>products</c> changes.</summary>
    [CachedQuery(DurationSeconds = 60, JitterSeconds = 5, Tables = ["products"], KeyPrefix = "shop.product")]
    Task<Product?> GetProductAsync(long id, CancellationToken cancellationToken);

    /// <summary>The customer, or null; cached for five minutes, dropped when <c>customers</c> changes.</summary>
    [CachedQuery(DurationSeconds = 300, JitterSeconds = 30, Tables = ["customers"], KeyPrefix = "shop.customer")]
    Task<Customer?> GetCustomerAsync(long id, CancellationToken cancellationToken);

    /// <summary>Sets a product's price on the primary; false when there is no such product. Drops cached product reads.</summary>
    [InvalidatesCache(Tables = ["products"])]
    Task<bool> SetPriceAsync(long id, decimal price, CancellationToken cancellationToken);
}
