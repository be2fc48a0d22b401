using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.IntegrationTests.Routing;
using OrmPerf.Routing;
using OrmPerf.Samples.WebApi.Catalog;
using OrmPerf.Samples.WebApi.Orders;

namespace OrmPerf.IntegrationTests.Samples;

/// <summary>The shop while a server misbehaves: the replica's replay paused, Redis stopped, the primary stopped.</summary>
[Collection(ServerFaultsCollection.Name)]
public sealed class ShopServerFaultTests(TestServers servers)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_replay_paused_the_next_request_sees_the_order_and_the_price_change_and_a_token_reads_its_own_write()
    {
        // A lag limit far above the test's duration: the paused replica stays in rotation, so only the positions
        // decide where a read goes.
        await using var shop = await ShopHost.StartAsync(servers, builder => builder.Configuration["Routing:MaxReplicaLag"] = "00:10:00");
        await servers.WaitForReplicaAsync();
        await using (var scope = shop.App.Services.CreateAsyncScope())
        {
            await RoutingProbe.WaitUntilReadsLandOnReplicaAsync(scope.ServiceProvider.GetRequiredService<IConnectionRouter>(), onReplica: true, TimeSpan.FromSeconds(30));
        }

        // Read (and cached) before the pause: the product and the customer's empty order list.
        var before = await shop.GetAsync<Product>("/products/4");
        Assert.Empty(await shop.GetAsync<List<OrderEvent>>("/customers/3/orders"));
        await using var replica = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(servers.Replica) { Pooling = false }.ConnectionString);
        await replica.OpenAsync(Cancellation);
        try
        {
            await replica.ExecuteAsync("SELECT pg_wal_replay_pause()");

            using var placed = await shop.Client.PostAsJsonAsync("/orders", new PlaceOrder(3, 4, 1), Cancellation);
            Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
            var order = (await placed.Content.ReadFromJsonAsync<OrderEvent>(Cancellation))!;
            Assert.Equal(0, await replica.ExecuteScalarAsync<long>($"SELECT count(*) FROM {shop.Schema.Name}.order_events WHERE customer_id = 3"));

            // Any request: the batch commit invalidated the cached list at its position, so the fill reads the primary.
            Assert.Equal(order.Id, Assert.Single(await shop.GetAsync<List<OrderEvent>>("/customers/3/orders")).Id);

            using var change = await shop.Client.PutAsJsonAsync("/products/4/price", new PriceChange(before.Price + 1), Cancellation);
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
            var token = ShopHost.TokenOf(change);
            // Another request without the token: the invalidation carried the primary's position.
            Assert.Equal(before.Price + 1, (await shop.GetAsync<Product>("/products/4")).Price);
            // With the token, in the header or in the cookie: never an entry older than the token.
            Assert.Equal(before.Price + 1, (await shop.GetAsync<Product>("/products/4", token)).Price);
            using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/products/4");
            withCookie.Headers.Add("Cookie", "ormperf-consistency=" + Uri.EscapeDataString(token));
            using var cookieResponse = await shop.Client.SendAsync(withCookie, Cancellation);
            Assert.Equal(before.Price + 1, (await cookieResponse.Content.ReadFromJsonAsync<Product>(Cancellation))!.Price);
        }
        finally
        {
            await replica.ExecuteAsync("SELECT pg_wal_replay_resume()");
        }

        await servers.WaitForReplicaAsync();
        Assert.Single(await shop.GetAsync<List<OrderEvent>>("/customers/3/orders"));
    }

    [Fact]
    public async Task With_Redis_down_health_is_degraded_and_the_shop_still_answers()
    {
        await using var shop = await ShopHost.StartAsync(servers);
        await servers.WaitForReplicaAsync();
        try
        {
            // Healthy first: the router has probed the servers, so only Redis can degrade the report.
            Assert.Equal("Healthy", (await shop.HealthAsync("Healthy")).Report.GetProperty("status").GetString());
            await servers.ControlAsync("stop", "redis");

            var (code, report) = await shop.HealthAsync("Degraded");
            Assert.Equal(HttpStatusCode.OK, code);
            Assert.Equal("Degraded", report.GetProperty("status").GetString());
            Assert.Equal("Degraded", ShopHost.CheckStatus(report, "redis"));
            Assert.Equal("Healthy", ShopHost.CheckStatus(report, "ormperf-primary"));

            Assert.Equal("Ceramic cup", (await shop.GetAsync<Product>("/products/3")).Name);
            using var change = await shop.Client.PutAsJsonAsync("/products/3/price", new PriceChange(8m), Cancellation);
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
            Assert.Equal(8m, (await shop.GetAsync<Product>("/products/3", ShopHost.TokenOf(change))).Price);
        }
        finally
        {
            await servers.ControlAsync("start", "redis");
        }
    }

    [Fact]
    public async Task With_the_primary_down_health_is_unhealthy_with_503_and_healthy_again_after_it_returns()
    {
        await using var shop = await ShopHost.StartAsync(servers);
        await servers.WaitForReplicaAsync();
        try
        {
            await servers.ControlAsync("stop", "primary");

            // The router's next probe of the primary fails: within a probe interval (plus its timeout).
            var (code, report) = await shop.HealthAsync("Unhealthy");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
            Assert.Equal("Unhealthy", report.GetProperty("status").GetString());
            Assert.Equal("Unhealthy", ShopHost.CheckStatus(report, "ormperf-primary"));
            Assert.Equal("Healthy", ShopHost.CheckStatus(report, "ormperf-replicas"));
        }
        finally
        {
            await servers.ControlAsync("start", "primary");
        }

        await servers.WaitForReplicaAsync();
        // The router's probe clears the pool's dead connections to the old primary process; the check recovers on the next probe.
        var recovered = await Poll.UntilAsync(
            async () =>
            {
                using var health = await shop.Client.GetAsync("/health", Cancellation);
                return health.StatusCode;
            },
            HttpStatusCode.OK,
            TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, recovered);
    }
}
