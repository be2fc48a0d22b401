using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Npgsql;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Tour;

/// <summary>
/// The README's main command works: the tour (samples/OrmPerf.Samples.Tour, in its quick mode) runs every technique
/// against real servers, writes its results, and leaves no schema behind. It pauses the replica's replay, so it runs
/// with the server-fault tests, alone.
/// </summary>
[Collection(ServerFaultsCollection.Name)]
public sealed class TourEndToEndTests(TestServers servers)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_quick_tour_measures_every_technique_and_writes_markdown_and_json()
    {
        var output = Directory.CreateTempSubdirectory("ormperf-tour-");
        try
        {
            var (exitCode, console) = await RunTourAsync(
                "--quick", "--primary", servers.Primary, "--replica", servers.Replica, "--redis", servers.Redis, "--output", output.FullName);

            Assert.True(exitCode == 0, $"The tour exited with {exitCode}:\n{console}");
            Assert.Contains("| technique | naive | OrmPerf | speed-up | note |", await File.ReadAllTextAsync(Path.Combine(output.FullName, "results.md"), TestContext.Current.CancellationToken));
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output.FullName, "results.json"), TestContext.Current.CancellationToken));
            var rows = json.RootElement.GetProperty("results").EnumerateArray()
                .ToDictionary(r => r.GetProperty("technique").GetString()!, r => (Naive: Value(r, "naive"), OrmPerf: Value(r, "ormPerf")));

            string[] techniques =
            [
                "pooling", "batching: insert rows", "batching: 16 awaited requests", "advisor: index", "covering index", "materialized view: 30-day", "materialized view: reader latency", "partial loading: time",
                "partial loading: bytes", "query cache: L1", "query cache: Redis", "query cache: stampede", "replicas: where reads landed",
                "replicas: read-your-writes", "replicas + cache: cached read after a write", "replicas: replay paused", "atomic update",
            ];
            Assert.All(techniques, t => Assert.Contains(rows.Keys, k => k.StartsWith(t, StringComparison.Ordinal)));
            // The outcomes that do not depend on the machine's speed.
            Assert.Equal(1, Row("query cache: stampede").OrmPerf);
            Assert.Equal(0, Row("atomic update").OrmPerf);
            Assert.Equal(0, Row("replicas: read-your-writes").Naive);
            Assert.Equal(1, Row("replicas: read-your-writes").OrmPerf);
            Assert.Equal(20, Row("replicas: where reads landed").OrmPerf);
            Assert.Equal(0, Row("replicas + cache: cached read after a write").Naive);
            Assert.Equal(1, Row("replicas + cache: cached read after a write").OrmPerf);
            // The advisor names the covering index the next step creates, with HypoPG's estimate below today's cost.
            Assert.InRange(Row("advisor: index (estimated cost)").OrmPerf, 1, Row("advisor: index (estimated cost)").Naive - 1);

            await using var connection = new NpgsqlConnection(servers.Primary);
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>(@"SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'ormperf\_tour\_%'"));

            (double Naive, double OrmPerf) Row(string prefix) => rows.Single(r => r.Key.StartsWith(prefix, StringComparison.Ordinal)).Value;
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Without_redis_or_a_replica_the_tour_says_so_and_routes_every_read_to_the_primary()
    {
        var output = Directory.CreateTempSubdirectory("ormperf-tour-");
        try
        {
            var (exitCode, console) = await RunTourAsync("--quick", "--primary", servers.Primary, "--no-replica", "--no-redis", "--output", output.FullName);

            Assert.True(exitCode == 0, $"The tour exited with {exitCode}:\n{console}");
            Assert.Contains("No Redis given", console, StringComparison.Ordinal);
            Assert.Contains("No replica given", console, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output.FullName, "results.json"), TestContext.Current.CancellationToken));
            var rows = json.RootElement.GetProperty("results").EnumerateArray().ToList();
            Assert.DoesNotContain(rows, r => r.GetProperty("technique").GetString()!.StartsWith("query cache: Redis", StringComparison.Ordinal));
            var routing = Assert.Single(rows, r => r.GetProperty("technique").GetString() == "replicas: where reads landed");
            Assert.Equal(0, Value(routing, "ormPerf"));
            Assert.Equal(2, json.RootElement.GetProperty("notes").GetArrayLength());
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    // The tour runs from its own output folder, not from the copy next to the tests: the test assembly's deps file takes
    // the logging abstractions from the ASP.NET Core framework (for the web API sample), which the tour does not load.
    private static string TourAssemblyPath()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (output.Name, output.Parent!.Name);
        var root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "OrmPerf.sln")))
        {
            root = root.Parent;
        }

        var path = Path.Combine(
            root?.FullName ?? throw new InvalidOperationException($"No OrmPerf.sln above {AppContext.BaseDirectory}."),
            "samples", "OrmPerf.Samples.Tour", "bin", configuration, framework, "OrmPerf.Samples.Tour.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("The tour is not built.", path);
    }

    private static double Value(JsonElement row, string side) => row.GetProperty(side).GetProperty("value").GetDouble();

    /// <summary>Runs the tour's own build output (built first through the project reference) as its own process.</summary>
    private static async Task<(int ExitCode, string Console)> RunTourAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(TourAssemblyPath());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the tour.");
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(Limit, TestContext.Current.CancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Ctrl+C's path would drop the schema, but a hung run gets killed; say what it had printed.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The tour did not finish within {Limit}:\n{await stdout}\n{await stderr}", e);
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
