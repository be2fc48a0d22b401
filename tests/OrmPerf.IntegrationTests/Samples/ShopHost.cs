using System.Net.Http.Json;
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
