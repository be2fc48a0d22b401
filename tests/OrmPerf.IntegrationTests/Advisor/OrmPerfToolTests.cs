using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Npgsql;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Advisor;

/// <summary>
/// The <c>ormperf</c> command as a user gets it: packed, installed from the .nupkg with <c>dotnet tool install
/// --add-source</c>, and run against the test servers.
/// </summary>
public sealed class OrmPerfToolTests(TestServers servers) : IDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly string _work = Directory.CreateTempSubdirectory("ormperf-tool-").FullName;
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_installed_tool_reports_the_missing_index_writes_markdown_and_json_and_applies_it()
    {
        await using var schema = await servers.CreateSchemaAsync();
        // A table name of this run's own: pg_stat_statements keeps other runs' statements, matched to tables by name.
        var table = "tt_orders_" + schema.Name[2..];
        await schema.ExecuteAsync($"""
            CREATE TABLE {table} (id bigint PRIMARY KEY, customer_id int NOT NULL, total numeric NOT NULL);
            INSERT INTO {table} SELECT g, g % 3000, g % 100 FROM generate_series(1, 60000) g;
            """);
        await schema.ExecuteAsync($"VACUUM ANALYZE {table}");
        await using (var connection = new NpgsqlConnection(schema.Primary))
        {
            await connection.OpenAsync(_cancellation);
            for (var i = 0; i < 30; i++)
            {
                await connection.QueryAsync($"SELECT id, total FROM {table} WHERE customer_id = @customer", new { customer = i });
            }
        }

        var ormperf = await InstallAsync();
        var json = Path.Combine(_work, "report.json");
        var markdown = Path.Combine(_work, "report.md");

        // The connection string without the schema on its search path: --schema alone must find the statement's table.
        var analyze = await RunAsync(ormperf, "analyze", "--connection", servers.Primary, "--schema", schema.Name, "--json", json, "--markdown", markdown);
        Assert.True(analyze.ExitCode == 0, analyze.Output);
        Assert.Contains("Indexes to create", analyze.Output);
        using (var report = JsonDocument.Parse(await File.ReadAllTextAsync(json, _cancellation)))
        {
            var index = Assert.Single(report.RootElement.GetProperty("Indexes").EnumerateArray());
            Assert.Equal($"{schema.Name}.{table}", index.GetProperty("Index").GetProperty("Table").GetString());
            Assert.True(index.GetProperty("Verified").GetBoolean());
            Assert.True(index.GetProperty("CostAfter").GetDouble() < index.GetProperty("CostBefore").GetDouble() / 10);
            Assert.Equal("Fits", report.RootElement.GetProperty("Pool").GetProperty("Verdict").GetString());
            // Out of process: the tool's own pool and cache say nothing about the application's, and the report says so.
            Assert.False(report.RootElement.GetProperty("LibraryCountersRead").GetBoolean());
            Assert.Empty(report.RootElement.GetProperty("Pool").GetProperty("Pressure").EnumerateArray());
        }

        Assert.Contains("Needs the in-process advisor", analyze.Output);
        var text = await File.ReadAllTextAsync(markdown, _cancellation);
        Assert.Contains("## Indexes to create", text);
        Assert.Contains("## Needs the in-process advisor", text);
        Assert.Contains("Pool too small", text);
        Assert.Contains("Cached queries that do not pay", text);
        Assert.Contains($"| 1 | {schema.Name}.{table} (customer_id) INCLUDE (", text);

        var apply = await RunAsync(ormperf, "analyze", "--connection", servers.Primary, "--schema", schema.Name, "--apply-index", "1", "--yes");
        Assert.True(apply.ExitCode == 0, apply.Output);
        Assert.Contains("the plan now uses it", apply.Output.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal));
        await using (var connection = new NpgsqlConnection(servers.Primary))
        {
            var created = await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = @schema AND indexname = @index)",
                new { schema = schema.Name, index = table + "_customer_id_covering" });
            Assert.True(created);
        }

        var wrong = await RunAsync(ormperf, "analyze", "--schema", schema.Name);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("--connection is required", wrong.Output);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>Packs the tool and installs it from the package into a tool path of this test's own.</summary>
    private async Task<string> InstallAsync()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "OrmPerf.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("OrmPerf.sln not found above " + AppContext.BaseDirectory);
        }

        var packages = Path.Combine(_work, "packages");
        // No restore: the solution's restore stands (a restore here would rewrite the projects' assets under this run).
        var pack = await RunAsync("dotnet", "pack", Path.Combine(root, "tools", "OrmPerf.Tool", "OrmPerf.Tool.csproj"), "-c", Configuration, "--no-restore", "-nologo", "-o", packages);
        Assert.True(pack.ExitCode == 0, pack.Output);
        var version = Path.GetFileNameWithoutExtension(Assert.Single(Directory.GetFiles(packages, "OrmPerf.Tool.*.nupkg")))["OrmPerf.Tool.".Length..];

        var tools = Path.Combine(_work, "tools");
        // Outside the repository (its nuget.config maps every package to the main feed) and with a package folder of its
        // own, so the install takes this build's package rather than one cached under the same version.
        var install = await RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", packages, "OrmPerf.Tool", "--version", version], Path.Combine(_work, "nuget"));
        Assert.True(install.ExitCode == 0, install.Output);
        return Path.Combine(tools, OperatingSystem.IsWindows() ? "ormperf.exe" : "ormperf");
    }

    private Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments) => RunAsync(program, arguments, nugetPackages: null);

    private async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, string? nugetPackages)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = _work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        if (nugetPackages is not null)
        {
            start.Environment["NUGET_PACKAGES"] = nugetPackages;
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // The tool's launcher finds the runtime through DOTNET_ROOT when dotnet is not installed where it looks by default.
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is null && Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(Environment.ProcessPath);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(_cancellation);
        var error = process.StandardError.ReadToEndAsync(_cancellation);
        try
        {
            await process.WaitForExitAsync(_cancellation).WaitAsync(TimeSpan.FromMinutes(4), _cancellation);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within 4 minutes.");
        }

        return (process.ExitCode, await output + await error);
    }
}
