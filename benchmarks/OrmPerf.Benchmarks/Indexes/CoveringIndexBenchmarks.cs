using BenchmarkDotNet.Attributes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.Indexes;

namespace OrmPerf.Benchmarks.Indexes;

/// <summary>
/// The article's covering-index query, <c>SELECT id, last_login FROM users WHERE email = @Email AND last_login &gt; @Since</c>,
/// on 1,000,000 users: with no index on <c>email</c> (a sequential scan), with a plain index on <c>email</c> (an index scan
/// that still visits the table), and with the covering index that <see cref="CoveringIndex.CreateStatement"/> makes,
/// <c>(email, last_login) INCLUDE (id)</c> (an index-only scan). BenchmarkDotNet runs each method in its own process,
/// so each one's setup builds the table with only its own index, then checks the plan with
/// <see cref="IIndexAdvisor.ExplainAsync"/> and prints it.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class CoveringIndexBenchmarks
{
    private const string Schema = "ormperf_bench_indexes";
    private const string Users = $"{Schema}.users";
    private const int Rows = 1_000_000;
    private const string Query = $"SELECT id AS \"Id\", last_login AS \"LastLogin\" FROM {Users} WHERE email = @Email AND last_login > @Since";

    // User 424242 logged in 424,242 minutes (about 295 days) before 2026-11-01, so after this cut-off.
    private static readonly object Parameters = new { Email = "user424242@example.test", Since = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc) };

    private ServiceProvider _provider = null!;
    private NpgsqlDataSource _primary = null!;

    [GlobalSetup(Target = nameof(SequentialScan))]
    public Task SetupWithoutIndex() => SetupAsync(null, "Seq Scan");

    [GlobalSetup(Target = nameof(EmailIndex))]
    public Task SetupWithEmailIndex() => SetupAsync($"CREATE INDEX users_email ON {Users} (email)", "Index Scan");

    [GlobalSetup(Target = nameof(CoveringIndexOnly))]
    public Task SetupWithCoveringIndex() => SetupAsync(CoveringIndex.CreateStatement(Users, ["email", "last_login"], ["id"]), "Index Only Scan");

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await BenchmarkSchema.DropAsync(_primary, Schema);
        await _provider.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "No index on email (Seq Scan)")]
    public Task<IReadOnlyList<UserLogin>> SequentialScan() => QueryAsync();

    [Benchmark(Description = "Plain index on email (Index Scan)")]
    public Task<IReadOnlyList<UserLogin>> EmailIndex() => QueryAsync();

    [Benchmark(Description = "CoveringIndex (email, last_login) INCLUDE (id)")]
    public Task<IReadOnlyList<UserLogin>> CoveringIndexOnly() => QueryAsync();

    private async Task<IReadOnlyList<UserLogin>> QueryAsync()
    {
        await using var connection = await _primary.OpenConnectionAsync();
        return (await connection.QueryAsync<UserLogin>(Query, Parameters)).AsList();
    }

    private async Task SetupAsync(string? indexDdl, string expectedScan)
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = BenchmarkServers.Primary).AddIndexAdvisor();
        _provider = services.BuildServiceProvider();
        _primary = _provider.GetRequiredService<NpgsqlDataSource>();

        await BenchmarkSchema.RecreateAsync(_primary, Schema);
        await BenchmarkSchema.ExecuteAsync(
            _primary,
            $"""
            CREATE TABLE {Users} (
                id bigint PRIMARY KEY, email text NOT NULL, name text NOT NULL, bio text NOT NULL,
                created_at timestamptz NOT NULL, last_login timestamptz NOT NULL)
            """,
            $"""
            INSERT INTO {Users}
            SELECT g, 'user' || g || '@example.test', 'User ' || g, repeat(md5(g::text), 4),
                   timestamptz '2024-01-01' + (g % 600) * interval '1 day', timestamptz '2026-11-01' - g * interval '1 minute'
            FROM generate_series(1, {Rows}) g
            """);
        if (indexDdl is not null)
        {
            await BenchmarkSchema.ExecuteAsync(_primary, indexDdl);
        }

        // The planner costs an index-only scan by the visibility map, which VACUUM sets.
        await BenchmarkSchema.ExecuteAsync(_primary, $"VACUUM ANALYZE {Users}");

        var plan = await _provider.GetRequiredService<IIndexAdvisor>().ExplainAsync(Query, Parameters);
        Console.WriteLine($"// PLAN {expectedScan} expected; nodes: {string.Join(" > ", plan.NodeTypes)}; index-only: {plan.UsesIndexOnlyScan}");
        if (!plan.NodeTypes.Contains(expectedScan))
        {
            throw new InvalidOperationException($"Expected a plan with {expectedScan}, got: {plan.PlanJson}");
        }

        var rows = await QueryAsync();
        if (rows.Count != 1 || rows[0].Id != 424242)
        {
            throw new InvalidOperationException($"Expected user 424242, got {rows.Count} rows.");
        }
    }

    /// <summary>The query's row.</summary>
    public sealed record UserLogin(long Id, DateTime LastLogin);
}
