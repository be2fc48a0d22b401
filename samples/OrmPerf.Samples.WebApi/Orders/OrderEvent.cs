namespace OrmPerf.Samples.WebApi.Orders;

/// <summary>One order, as ingested by the batch writer into <c>order_events</c>.</summary>
public sealed record OrderEvent(Guid Id, long CustomerId, long ProductId, int Quantity, decimal Amount, DateTime CreatedAt);
