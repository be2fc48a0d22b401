using OrmPerf.Batching;
using OrmPerf.Caching;
using OrmPerf.Routing;
using OrmPerf.Samples.WebApi.Catalog;

namespace OrmPerf.Samples.WebApi.Orders;

/// <summary>
/// <c>POST /orders</c> through the batch writer, and a customer's orders read through the query cache on the request's
/// routed read data source.
/// </summary>
internal static class OrderEndpoints
{
    // Short-lived: the list changes with every order; the cache is there for bursts of reads of one customer.
    private static readonly QueryCacheEntryOptions OrdersCache = new() { Duration = TimeSpan.FromSeconds(30) };

    public static void MapOrders(this IEndpointRouteBuilder app)
    {
        app.MapPost("/orders", PlaceAsync);
        app.MapGet("/customers/{id:long}/orders", ListAsync);
    }

    // Answers 201 only once the order's batch has committed: the batch writer groups concurrent orders into one
    // transaction (group commit), so many requests share one COPY and one commit.
    private static async Task<IResult> PlaceAsync(
        PlaceOrder order, ICatalog catalog, IBatchWriter<OrderEvent> writer, TimeProvider time, CancellationToken cancellationToken)
    {
        if (order.Quantity < 1)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: $"quantity must be at least 1, got {order.Quantity}.");
        }

        // The cached price: a price changed less than a cache lifetime ago on another node is seen once the backplane's
        // invalidation arrives.
        var product = await catalog.GetProductAsync(order.ProductId, cancellationToken);
        if (product is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, detail: $"There is no product {order.ProductId}.");
        }

        var row = new OrderEvent(Guid.CreateVersion7(), order.CustomerId, order.ProductId, order.Quantity, product.Price * order.Quantity, time.GetUtcNow().UtcDateTime);
        try
        {
            await writer.WriteAsync(row, cancellationToken);
        }
        catch (RowRejectedException rejected)
        {
            // PostgreSQL refused this row alone (e.g. no such customer); the other orders of its batch are committed.
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, detail: rejected.Message);
        }

        // Nothing to note by hand: the commit reported itself with its WAL position (ITableChangeListener), which
        // invalidated the cached order lists at that position, so the next list read by any request includes the order.
        return Results.Created($"/customers/{order.CustomerId}/orders", row);
    }

    // The routed read data source: a replica that has replayed what the cache demands (the last order's commit, the
    // request's token), else the primary; the result is stored only if read at or after that position.
    private static async Task<IReadOnlyList<OrderEvent>> ListAsync(long id, IConnectionRouter router, IQueryCache cache, CancellationToken cancellationToken) =>
        await router.ReadDataSource.QueryCachedAsync<OrderEvent>(
            cache,
            """
            SELECT id, customer_id AS "CustomerId", product_id AS "ProductId", quantity, amount, created_at AS "CreatedAt"
            FROM order_events WHERE customer_id = @id ORDER BY created_at DESC LIMIT 100
            """,
            new { id },
            OrdersCache,
            cancellationToken: cancellationToken);
}
