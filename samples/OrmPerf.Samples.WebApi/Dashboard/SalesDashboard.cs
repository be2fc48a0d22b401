namespace OrmPerf.Samples.WebApi.Dashboard;

/// <summary>The body of <c>GET /dashboard</c>: the materialized view's rows and how fresh they are.</summary>
/// <param name="RefreshedAt">When the view's last refresh finished, or null if none was recorded yet.</param>
/// <param name="StalenessSeconds">Seconds since then, or null.</param>
/// <param name="Products">One line per product, best revenue first.</param>
public sealed record SalesDashboard(DateTimeOffset? RefreshedAt, double? StalenessSeconds, IReadOnlyList<SalesRow> Products);
