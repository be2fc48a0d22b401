namespace OrmPerf.Samples.WebApi.Orders;

/// <summary>The body of <c>POST /orders</c>.</summary>
public sealed record PlaceOrder(long CustomerId, long ProductId, int Quantity);
