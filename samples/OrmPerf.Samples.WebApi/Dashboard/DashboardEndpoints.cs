using OrmPerf.MaterializedViews;
using OrmPerf.Routing;
using OrmPerf.Samples.WebApi.Schema;

namespace OrmPerf.Samples.WebApi.Dashboard;

/// <summary>
/// <c>GET /dashboard</c>: sales per product from the <c>sales_summary</c> materialized view, which the scheduler
/// refreshes every <see cref="ShopSettings.DashboardRefreshInterval"/>; the aggregate is never computed per request.
/// </summary>
internal static class DashboardEndpoints
{
    public static void MapDashboard(this IEndpointRouteBuilder app) =>
        app.MapGet("/dashboard", async (IConnectionRouter router, IMaterializedViews views, ShopSettings settings, CancellationToken cancellationToken) =>
        {
            var rows = await router.QueryAsync<SalesRow>(
                $"""SELECT product_id AS "ProductId", name, orders, units, revenue FROM {ShopSchema.SalesSummary} ORDER BY revenue DESC, product_id""",
                cancellationToken: cancellationToken);
            var status = await views.GetStatusAsync($"{settings.Schema}.{ShopSchema.SalesSummary}", cancellationToken);
            return new SalesDashboard(status.LastRefreshFinishedAt, status.Staleness?.TotalSeconds, rows);
        });
}
