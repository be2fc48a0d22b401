using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.Samples.WebApi;
using OrmPerf.Samples.WebApi.Catalog;
using OrmPerf.Samples.WebApi.Dashboard;
using OrmPerf.Samples.WebApi.Orders;

namespace OrmPerf.IntegrationTests.Samples;

/// <summary>The web API sample over HTTP, on the real primary, replica and Redis.</summary>
public sealed class ShopAppTests(TestServers servers)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Product_and_customer_reads_are_served_from_the_cache_until_a_price_change_drops_them()
    {
        await using var shop = await ShopHost.StartAsync(servers);
        // The seed rows must be on the replica before the first read caches what it finds there.
        await servers.WaitForReplicaAsync();
        var product = await shop.GetAsync<Product>("/products/1");
        var customer = await shop.GetAsync<Customer>("/customers/2");
        Assert.Equal(24.90m, product.Price);
        Assert.Equal("Grace", customer.Name);

        // Changed behind the shop's back: only a read that reaches the database would see it.
        await shop.Schema.ExecuteAsync("UPDATE products SET price = 99 WHERE id = 1; UPDATE customers SET name = 'Changed' WHERE id = 2");
        await servers.WaitForReplicaAsync();
        Assert.Equal(product, await shop.GetAsync<Product>("/products/1"));
        Assert.Equal(customer, await shop.GetAsync<Customer>("/customers/2"));

        // The shop's own update invalidates the cached product reads; the next read, carrying the update's token, sees it.
        using var change = await shop.Client.PutAsJsonAsync("/products/1/price", new PriceChange(30m), Cancellation);
        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        Assert.Equal(30m, (await shop.GetAsync<Product>("/products/1", ShopHost.TokenOf(change))).Price);

        using var missing = await shop.Client.PutAsJsonAsync("/products/404/price", new PriceChange(1m), Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var negative = await shop.Client.PutAsJsonAsync("/products/1/price", new PriceChange(-1m), Cancellation);
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        using var noCustomer = await shop.Client.GetAsync("/customers/404", Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, noCustomer.StatusCode);
    }

    [Fact]
    public async Task An_order_is_committed_when_answered_and_reaches_the_dashboard_at_a_refresh()
    {
        await using var shop = await ShopHost.StartAsync(servers);
        await servers.WaitForReplicaAsync();

        using var placed = await shop.Client.PostAsJsonAsync("/orders", new PlaceOrder(1, 2, 3), Cancellation);
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var order = (await placed.Content.ReadFromJsonAsync<OrderEvent>(Cancellation))!;
        Assert.Equal(3 * 39.00m, order.Amount);
        await using (var primary = new NpgsqlConnection(shop.Schema.Primary))
        {
            Assert.Equal(1, await primary.ExecuteScalarAsync<long>("SELECT count(*) FROM order_events WHERE id = @id", new { id = order.Id }));
        }

        // No token needed: the batch commit invalidated the cached order lists at its WAL position.
        var orders = await shop.GetAsync<List<OrderEvent>>("/customers/1/orders");
        Assert.Equal(order.Id, Assert.Single(orders).Id);

        var clock = Stopwatch.StartNew();
        SalesDashboard dashboard;
        while ((dashboard = await shop.GetAsync<SalesDashboard>("/dashboard")).Products.Single(p => p.ProductId == 2).Orders == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "The dashboard did not show the order within 30 s of refreshes every second.");
            await Task.Delay(100, Cancellation);
        }

        Assert.Equal(new SalesRow(2, "Milk frother", 1, 3, 117.00m), dashboard.Products[0]);
        Assert.Equal(5, dashboard.Products.Count);
        Assert.NotNull(dashboard.RefreshedAt);

        using var noCustomer = await shop.Client.PostAsJsonAsync("/orders", new PlaceOrder(404, 2, 1), Cancellation);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noCustomer.StatusCode);
        using var noProduct = await shop.Client.PostAsJsonAsync("/orders", new PlaceOrder(1, 404, 1), Cancellation);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noProduct.StatusCode);
        using var noQuantity = await shop.Client.PostAsJsonAsync("/orders", new PlaceOrder(1, 2, 0), Cancellation);
        Assert.Equal(HttpStatusCode.BadRequest, noQuantity.StatusCode);
    }

    [Fact]
    public async Task Health_names_every_server_and_every_meter_reaches_OpenTelemetry()
    {
        var exported = new List<Metric>();
        await using var shop = await ShopHost.StartAsync(servers, builder => builder.Services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(exported)));

        var (code, report) = await shop.HealthAsync("Healthy");
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        var checks = report.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["ormperf-primary"] = "Healthy", ["ormperf-replicas"] = "Healthy", ["redis"] = "Healthy" }, checks);
        var replica = report.GetProperty("checks").GetProperty("ormperf-replicas").GetProperty("data").GetProperty("replica-1");
        Assert.Equal("up", replica.GetProperty("state").GetString());

        await servers.WaitForReplicaAsync();
        await shop.GetAsync<Product>("/products/3");
        using var placed = await shop.Client.PostAsJsonAsync("/orders", new PlaceOrder(3, 3, 1), Cancellation);
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);

        Assert.True(shop.App.Services.GetRequiredService<MeterProvider>().ForceFlush());
        Assert.Subset(exported.Select(m => m.MeterName).ToHashSet(), ShopApp.Meters.ToHashSet());
    }

    [Fact]
    public async Task A_token_that_is_not_one_is_refused_with_the_expected_form()
    {
        await using var shop = await ShopHost.StartAsync(servers);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/products/1");
        request.Headers.Add("X-Consistency-Token", "v9:nonsense");

        using var response = await shop.Client.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'v9:nonsense' is not a consistency token; expected 'v1:", await response.Content.ReadAsStringAsync(Cancellation));
    }
}
