using System.Net;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry.Metrics;
using OrmPerf.Diagnostics;
using OrmPerf.Connections;
using OrmPerf.Routing.Diagnostics;
using OrmPerf.Samples.WebApi.Catalog;
using OrmPerf.Samples.WebApi.Consistency;
using OrmPerf.Samples.WebApi.Dashboard;
using OrmPerf.Samples.WebApi.Health;
using OrmPerf.Samples.WebApi.Orders;
using OrmPerf.Samples.WebApi.Schema;
using OrmPerf.Redis.Diagnostics;

namespace OrmPerf.Samples.WebApi;

/// <summary>
/// The shop: a minimal API on Kestrel, bound to 127.0.0.1, with every OrmPerf package wired from configuration.
/// <c>Program</c> runs it; tests build it with their own configuration and start it on a free port.
/// </summary>
public static class ShopApp
{
    /// <summary>The meters whose instruments the shop exports through OpenTelemetry.</summary>
    public static readonly IReadOnlyList<string> Meters =
        [OrmPerfDiagnostics.MeterName, RedisDiagnostics.MeterName, RoutingDiagnostics.MeterName, "Npgsql"];

    /// <summary>Builds the shop, ready to run.</summary>
    /// <param name="args">Command-line arguments (configuration overrides such as <c>--Shop:Port=5081</c>).</param>
    /// <param name="configure">Adjusts the builder first, e.g. adds configuration or services; optional.</param>
    /// <returns>The application; <c>RunAsync</c> or <c>StartAsync</c> starts it (and creates the schema).</returns>
    /// <exception cref="InvalidOperationException">A setting is missing or invalid; the message names it.</exception>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(ShopApp).Assembly.GetName().Name,
        });
        configure?.Invoke(builder);

        var configuration = builder.Configuration;
        var settings = configuration.GetSection(ShopSettings.Section).Get<ShopSettings>() ?? new ShopSettings();
        settings.Validate();
        var primary = configuration.GetConnectionString("Primary");
        if (string.IsNullOrWhiteSpace(primary))
        {
            throw new InvalidOperationException("ConnectionStrings:Primary is missing: set the primary PostgreSQL server's connection string (e.g. ConnectionStrings__Primary in the environment).");
        }

        var replicas = (configuration.GetSection("ConnectionStrings:Replicas").Get<string[]>() ?? [])
            .Where(replica => !string.IsNullOrWhiteSpace(replica))
            .Select(replica => WithSearchPath(replica, settings.Schema))
            .ToArray();
        var redis = configuration.GetConnectionString("Redis");

        // Loopback only, whatever ASPNETCORE_URLS says: the sample is not meant to be reachable from the network.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, settings.Port));

        var services = builder.Services;
        services.AddSingleton(settings);
        // First of the hosted services: the tables exist before the batch writer checks its map against them.
        services.AddHostedService<ShopSchema>();

        var ormPerf = services
            .AddOrmPerf(o =>
            {
                o.ConnectionString = WithSearchPath(primary, settings.Schema);
                o.Pool = settings.Pool == "Development" ? PoolProfile.Development : PoolProfile.Production;
            })
            .AddReadReplicas(o =>
            {
                // Lag limits, balancing, probe interval...: the "Routing" section, named as in ReadReplicaOptions.
                configuration.GetSection("Routing").Bind(o);
                for (var i = 0; i < replicas.Length; i++)
                {
                    o.Replicas.Add(new() { Name = $"replica-{i + 1}", ConnectionString = replicas[i] });
                }
            })
            .AddBatchWriter<OrderEvent>(t => t
                .Table("order_events", settings.Schema)
                .Column(e => e.Id)
                .Column(e => e.CustomerId)
                .Column(e => e.ProductId)
                .Column(e => e.Quantity)
                .Column(e => e.Amount)
                .Column(e => e.CreatedAt)
                .Key("id"))
            .AddMaterializedView($"{settings.Schema}.{ShopSchema.SalesSummary}", settings.DashboardRefreshInterval)
            .AddCachedQueries<ICatalog, CatalogQueries>();
        if (!string.IsNullOrWhiteSpace(redis))
        {
            // Without Redis the query cache that AddCachedQueries added stays in memory only. Keys and the invalidation
            // channel carry the schema, so shops on other schemas share one Redis safely.
            ormPerf.AddRedisCache(o =>
            {
                o.Configuration = redis;
                o.KeyPrefix = $"shop:{settings.Schema}:";
            });
        }

        services.AddShopHealthChecks(redis: !string.IsNullOrWhiteSpace(redis));
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter([.. Meters]);
            if (settings.ConsoleMetrics)
            {
                metrics.AddConsoleExporter();
            }
        });

        var app = builder.Build();
        app.UseMiddleware<ConsistencyTokenMiddleware>();
        app.MapCatalog();
        app.MapOrders();
        app.MapDashboard();
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthReportJson.WriteAsync });
        return app;
    }

    private static string WithSearchPath(string connectionString, string schema) =>
        new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema }.ConnectionString;
}
