using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrmPerf;
using OrmPerf.Connections;
using Spectre.Console;

// The tour of OrmPerf's techniques. It is given its servers through the environment that eng/services.sh prints.
var primary = Environment.GetEnvironmentVariable("ORMPERF_PG_PRIMARY");
if (string.IsNullOrEmpty(primary))
{
    AnsiConsole.MarkupLine("[red]ORMPERF_PG_PRIMARY is not set.[/] Run the tour with [bold]./eng/demo.sh[/], which starts the servers.");
    return 1;
}

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddOrmPerf(o =>
{
    o.ConnectionString = primary;
    o.Pool = PoolProfile.Production;
});
using var host = builder.Build();
await host.StartAsync();

var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();
var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OrmPerfOptions>>().Value;
await using (var connection = await dataSource.OpenConnectionAsync())
{
    var version = await connection.ExecuteScalarAsync<string>("SHOW server_version");
    var table = new Table().AddColumns("setting", "value");
    table.AddRow("server", Markup.Escape($"PostgreSQL {version} at {connection.Host}:{connection.Port}"));
    table.AddRow("pool profile", Markup.Escape(options.Pool.ToString()));
    AnsiConsole.Write(table);
}

await host.StopAsync();
return 0;
