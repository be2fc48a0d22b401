namespace OrmPerf.Samples.Tour.Caching;

/// <summary>One line of the "best sellers of a category" report that the cache steps serve.</summary>
internal sealed record TopProduct(long Id, string Name, long Sold)
{
    public const string BestSellers = """
        SELECT p.id, p.name, sum(o.quantity)::bigint AS sold
        FROM orders o JOIN products p ON p.id = o.product_id
        WHERE p.category = @category AND o.created_at >= @since
        GROUP BY p.id, p.name ORDER BY sold DESC, p.id LIMIT 10
        """;

    /// <summary>The report's parameters: 20 categories, each over a few windows.</summary>
    public static IEnumerable<object> Parameters(int windows) =>
        from c in Enumerable.Range(1, 20)
        from w in Enumerable.Range(1, windows)
        select (object)new { category = $"category-{c:00}", since = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(w) };
}
