using OrmPerf.Batching;
using OrmPerf.Routing;
using OrmPerf.Samples.WebApi.Catalog;

namespace OrmPerf.Samples.WebApi.Orders;

/// <summary><c>POST /orders</c> through the batch writer, and a customer's orders read through the router.</summary>
internal static class OrderEndpoints
{
    public static void MapOrders(this IEndpointRouteBuilder app)
    {
        app.MapPost("/orders", PlaceAsync);
        app.MapGet("/customers/{id:long}/orders", ListAsync);
    }

    // Answers 201 only once the order's batch has committed: the batch writer groups concurrent orders into one
    // transaction (group commit), so many requests share one COPY and one commit.
    private static async Task<IResult> PlaceAsync(
        PlaceOrder order, ICatalog catalog, IBatchWriter<OrderEvent> writer, IConnectionRouter router, TimeProvider time, CancellationToken cancellationToken)
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

        // The batch writer committed on the primary outside the router: noted, the request's token covers the order.
        router.NoteWrite();
        return Results.Created($"/customers/{order.CustomerId}/orders", row);
    }

    private static async Task<IReadOnlyList<OrderEvent>> ListAsync(long id, IConnectionRouter router, CancellationToken cancellationToken) =>
        await router.QueryAsync<OrderEvent>(
            """
            SELECT id, customer_id AS "CustomerId", product_id AS "ProductId", quantity, amount, created_at AS "CreatedAt"
            FROM order_events WHERE customer_id = @id ORDER BY created_at DESC LIMIT 100
            """,
            new { id },
            cancellationToken: cancellationToken);
}
