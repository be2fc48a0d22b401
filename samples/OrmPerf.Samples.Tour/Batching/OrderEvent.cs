namespace OrmPerf.Samples.Tour.Batching;

/// <summary>An event about an order, the kind of row a service ingests by the thousand.</summary>
internal sealed record OrderEvent(long Id, long OrderId, string Kind, decimal Amount, DateTime CreatedAt)
{
    private static readonly string[] Kinds = ["created", "paid", "shipped", "delivered"];

    /// <summary>Deterministic rows, so that every run writes the same data.</summary>
    public static OrderEvent Sample(long id) =>
        new(id, 1 + id % 10_000, Kinds[id % Kinds.Length], 5m + id % 500, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(-id));
}
