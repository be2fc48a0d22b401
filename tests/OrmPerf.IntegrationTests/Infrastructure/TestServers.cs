using System.Diagnostics;
using DotNet.Testcontainers.Containers;
using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.Redis;

[assembly: AssemblyFixture(typeof(OrmPerf.IntegrationTests.Infrastructure.TestServers))]

namespace OrmPerf.IntegrationTests.Infrastructure;

/// <summary>
/// The real servers every integration test runs against, found once per test run:
/// first the environment that <c>eng/services.sh</c> prints (PostgreSQL primary + streaming replica + Redis),
/// then, where a Docker engine answers, Testcontainers (primary + Redis). Without either, a test that asks for a
/// server fails under <c>CI=true</c> and is skipped, with the reason, otherwise.
/// </summary>
public sealed class TestServers : IAsyncLifetime
{
    private const string ScriptHint = "run the tests through ./eng/test.sh, or eval \"$(eng/services.sh up)\" first";

    private readonly List<DockerContainer> _containers = [];
    private string? _primary;
    private string? _replica;
    private string? _redis;
    private string? _bouncer;
    private string? _redisCluster;
    private string? _control;
    private string _missingReason = "servers were not looked for yet";

    /// <summary>Connection string of the primary (read-write) PostgreSQL server.</summary>
    public string Primary => Require(_primary, "PostgreSQL primary");

    /// <summary>Connection string of a streaming replica of <see cref="Primary"/>.</summary>
    public string Replica => Require(_replica, "PostgreSQL streaming replica");

    /// <summary>StackExchange.Redis configuration string of the Redis server.</summary>
    public string Redis => Require(_redis, "Redis");

    /// <summary>StackExchange.Redis configuration string of a Redis Cluster of three masters (<c>cluster1</c>..<c>cluster3</c>).</summary>
    public string RedisCluster => Require(_redisCluster, "Redis Cluster");

    /// <summary>Connection string of PgBouncer in transaction mode in front of <see cref="Primary"/>.</summary>
    public string Bouncer => Require(_bouncer, "PgBouncer (transaction mode)");

    public async ValueTask InitializeAsync()
    {
        _primary = Environment.GetEnvironmentVariable("ORMPERF_PG_PRIMARY");
        _replica = Environment.GetEnvironmentVariable("ORMPERF_PG_REPLICA");
        _redis = Environment.GetEnvironmentVariable("ORMPERF_REDIS");
        _bouncer = Environment.GetEnvironmentVariable("ORMPERF_PG_BOUNCER");
        _redisCluster = Environment.GetEnvironmentVariable("ORMPERF_REDIS_CLUSTER");
        _control = Environment.GetEnvironmentVariable("ORMPERF_SERVICES_CONTROL");
        if (_primary is not null)
        {
            _missingReason = $"not provided by eng/services.sh ({ScriptHint})";
            return;
        }

        try
        {
            await StartContainersAsync();
            _missingReason = $"Testcontainers provides the primary and Redis only; {ScriptHint} for a replica and fault control";
        }
        catch (Exception e)
        {
            _primary = _redis = null;
            _missingReason = $"no ORMPERF_PG_PRIMARY in the environment and no Docker engine for Testcontainers ({e.GetType().Name}); {ScriptHint}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var container in _containers)
        {
            await container.DisposeAsync();
        }
    }

    /// <summary>Creates an empty schema on the primary, dropped again when the returned object is disposed.</summary>
    public async Task<TestSchema> CreateSchemaAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(Primary))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new TestSchema(this, name);
    }

    private static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    /// <summary>Waits until the replica has replayed everything the primary has written so far.</summary>
    public async Task WaitForReplicaAsync(TimeSpan? timeout = null)
    {
        // Unpooled: a fault test may just have restarted a server, leaving dead connections in a pool.
        await using var primary = new NpgsqlConnection(Unpooled(Primary));
        await primary.OpenAsync();
        await using var lsnCommand = new NpgsqlCommand("SELECT pg_current_wal_lsn()::text", primary);
        var target = (string)(await lsnCommand.ExecuteScalarAsync())!;

        await using var replica = new NpgsqlConnection(Unpooled(Replica));
        await replica.OpenAsync();
        await using var caughtUp = new NpgsqlCommand("SELECT pg_last_wal_replay_lsn() >= @target::pg_lsn", replica);
        caughtUp.Parameters.AddWithValue("target", target);
        var deadline = Stopwatch.StartNew();
        while ((bool)(await caughtUp.ExecuteScalarAsync())! is false)
        {
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException($"The replica did not replay up to {target} within {timeout ?? TimeSpan.FromSeconds(30)}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Stops, starts or restarts one server (<c>primary</c>, <c>replica</c>, <c>redis</c>) through
    /// <c>eng/services.sh</c>. Tests that do this belong to the <see cref="ServerFaultsCollection"/>.
    /// </summary>
    public async Task ControlAsync(string action, string server)
    {
        await RunScriptAsync(Require(_control, "server control (eng/services.sh)"), [action, server], servicesDir: null);

        // Idle pooled connections (WaitForReplicaAsync's, CreateSchemaAsync's) died with the server; without this the
        // next test to rent one fails with 57P01, depending on which tests ran before.
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>
    /// A primary + replica + Redis of their own (<c>eng/services.sh up</c> in a fresh state folder), for a test that
    /// leaves its servers unusable, such as a promotion. Deleted (<c>down</c>) when the returned object is disposed.
    /// </summary>
    public async Task<IsolatedServers> CreateIsolatedServersAsync()
    {
        var script = Require(_control, "server control (eng/services.sh)");
        var folder = Path.Combine(Path.GetTempPath(), "ormperf-services-isolated-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var exports = await RunScriptAsync(script, ["up"], folder);
            return new IsolatedServers(exports, (action, server) => RunScriptAsync(script, [action, server], folder), () => RunScriptAsync(script, ["down"], folder));
        }
        catch
        {
            await RunScriptAsync(script, ["down"], folder);
            throw;
        }
    }

    /// <summary>Runs <c>eng/services.sh</c> (on the shared servers, or on those of <paramref name="servicesDir"/>) and returns its stdout.</summary>
    private static async Task<string> RunScriptAsync(string script, string[] arguments, string? servicesDir)
    {
        var start = new ProcessStartInfo("bash", [script, .. arguments])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        if (servicesDir is not null)
        {
            start.Environment["ORMPERF_SERVICES_DIR"] = servicesDir;
        }

        var command = $"{script} {string.Join(' ', arguments)}";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {script}.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            // The script bounds its own waits (pg_ctl -t 60, 30 s readiness checks); this bounds everything else.
            await Task.WhenAll(stdout, stderr, process.WaitForExitAsync()).WaitAsync(TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException e)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command}' did not finish within 3 minutes.", e);
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }

    private async Task StartContainersAsync()
    {
        using var startTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var postgres = new PostgreSqlBuilder("postgres:15").WithCommand("-c", "max_connections=300").Build();
        _containers.Add(postgres);
        var redis = new RedisBuilder("redis:7").Build();
        _containers.Add(redis);
        await Task.WhenAll(postgres.StartAsync(startTimeout.Token), redis.StartAsync(startTimeout.Token));
        _primary = postgres.GetConnectionString();
        _redis = redis.GetConnectionString();
    }

    private string Require(string? value, string what)
    {
        if (value is not null)
        {
            return value;
        }

        var message = $"{what} is not available: {_missingReason}.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Assert.Skip(message);
        return null!;
    }
}
