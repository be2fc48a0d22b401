using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.Samples.WebApi;

namespace OrmPerf.IntegrationTests.Samples;

/// <summary>
/// The web API sample started on Kestrel at a free loopback port, in a test schema of its own, with a plain
/// <see cref="HttpClient"/> (no cookie container, so a request carries a token only when the test sends one).
/// </summary>
internal sealed class ShopHost : IAsyncDisposable
{
    private readonly TestSchema _schema;

    private ShopHost(WebApplication app, TestSchema schema, HttpClient client)
    {
        App = app;
        _schema = schema;
        Client = client;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    /// <summary>The shop's schema, to check or change its tables behind the shop's back.</summary>
    public TestSchema Schema => _schema;

    public static async Task<ShopHost> StartAsync(TestServers servers, Action<WebApplicationBuilder>? configure = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Primary"] = servers.Primary,
            ["ConnectionStrings:Replicas:0"] = servers.Replica,
            ["ConnectionStrings:Redis"] = servers.Redis,
            ["Shop:Port"] = "0",
            ["Shop:DashboardRefreshInterval"] = "00:00:01",
            ["Routing:ProbeInterval"] = "00:00:00.100",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var schema = await servers.CreateSchemaAsync();
        settings["Shop:Schema"] = schema.Name;
        WebApplication? app = null;
        try
        {
            app = ShopApp.Build([], builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings);
                configure?.Invoke(builder);
            });
            await app.StartAsync(TestContext.Current.CancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri(address) };
            return new ShopHost(app, schema, client);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            await schema.DisposeAsync();
            throw;
        }
    }

    /// <summary>GETs a JSON body, failing with the status and body when the answer is not 200.</summary>
    public async Task<T> GetAsync<T>(string path, string? consistencyToken = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (consistencyToken is not null)
        {
            request.Headers.Add("X-Consistency-Token", consistencyToken);
        }

        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        return (await response.Content.ReadFromJsonAsync<T>(TestContext.Current.CancellationToken))!;
    }

    /// <summary>
    /// GETs <c>/health</c> until its overall status is <paramref name="expected"/> (the database checks report the
    /// router's probes, which see a server's change within a probe interval), or 30 s have passed; returns the last
    /// answer for the caller to assert.
    /// </summary>
    public async Task<(HttpStatusCode Code, JsonElement Report)> HealthAsync(string expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await Client.GetAsync("/health", TestContext.Current.CancellationToken);
            var report = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            if (report.GetProperty("status").GetString() == expected || DateTime.UtcNow > deadline)
            {
                return (response.StatusCode, report);
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The status of one check in a <c>/health</c> report.</summary>
    public static string? CheckStatus(JsonElement report, string check) =>
        report.GetProperty("checks").GetProperty(check).GetProperty("status").GetString();

    /// <summary>The consistency token a response carries in its header.</summary>
    public static string TokenOf(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues("X-Consistency-Token"));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
        await _schema.DisposeAsync();
    }
}
