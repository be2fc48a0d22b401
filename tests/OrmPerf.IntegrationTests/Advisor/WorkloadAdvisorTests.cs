using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.Advisor;
using OrmPerf.Connections;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Advisor;

/// <summary>
/// The workload advisor on seeded workloads. pg_stat_statements is shared by every test on the server and keeps the
/// statements of earlier runs, so each test here names its tables with its schema's unique suffix (the advisor matches
/// statements to tables by name) and analyses its own schema only.
/// </summary>
public sealed class WorkloadAdvisorTests(TestServers servers)
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_seeded_workload_gets_its_missing_index_verified_by_HypoPG_its_duplicate_index_its_cacheable_lookup_and_its_aggregate()
    {
        await using var schema = await servers.CreateSchemaAsync();
        var missingIndexQuery = Unique(schema, "SELECT id, total FROM wa_orders WHERE customer_id = @customer");
        var lookupQuery = Unique(schema, "SELECT name FROM wa_countries WHERE code = @code");
        var aggregateQuery = Unique(schema, "SELECT region, sum(amount) AS amount, count(*) AS sales FROM wa_sales GROUP BY region");
        await schema.ExecuteAsync(Unique(schema, """
            CREATE TABLE wa_orders (id bigint PRIMARY KEY, customer_id int NOT NULL, total numeric NOT NULL, note text, created_at timestamptz NOT NULL);
            INSERT INTO wa_orders SELECT g, g % 5000, g % 97, repeat('x', 40), now() - g * interval '1 minute' FROM generate_series(1, 50000) g;
            CREATE INDEX wa_orders_created_a ON wa_orders (created_at);
            CREATE INDEX wa_orders_created_b ON wa_orders (created_at);
            CREATE TABLE wa_countries (code text PRIMARY KEY, name text NOT NULL);
            INSERT INTO wa_countries SELECT 'c' || g, 'Country ' || g FROM generate_series(1, 200) g;
            CREATE TABLE wa_sales (id bigint PRIMARY KEY, region int NOT NULL, amount numeric NOT NULL);
            INSERT INTO wa_sales SELECT g, g % 20, g % 1000 FROM generate_series(1, 300000) g;
            """));
        await schema.ExecuteAsync(Unique(schema, "VACUUM ANALYZE wa_orders, wa_countries, wa_sales"));
        await using (var connection = new NpgsqlConnection(schema.Primary))
        {
            await connection.OpenAsync(_cancellation);
            for (var i = 0; i < 200; i++)
            {
                await connection.QueryAsync(missingIndexQuery, new { customer = i * 7 % 5000 });
                await connection.QueryAsync(lookupQuery, new { code = "c" + (i % 200 + 1) });
                await connection.QueryAsync(lookupQuery, new { code = "c" + (i * 3 % 200 + 1) });
                await connection.QueryAsync(Unique(schema, "SELECT id, total FROM wa_orders WHERE id = @id"), new { id = (long)i + 1 });
                if (i % 4 == 0)
                {
                    // Orders change now and then: the index pays, caching their lookups would not.
                    await connection.ExecuteAsync(Unique(schema, "INSERT INTO wa_orders VALUES (@id, @customer, 1, NULL, now())"), new { id = 100_000L + i, customer = i });
                }

                if (i % 10 == 0)
                {
                    await connection.QueryAsync(aggregateQuery);
                }
            }
        }

        await using var provider = Advisor(schema.Primary);
        var advisor = provider.GetRequiredService<IWorkloadAdvisor>();
        var phases = new List<string>();
        var report = await advisor.AnalyzeAsync(new WorkloadAdvisorOptions { Schemas = [schema.Name] }, new SynchronousProgress(phases), _cancellation);

        Assert.True(report.StatementStatisticsAvailable);
        Assert.True(report.HypotheticalIndexesAvailable, string.Join(" ", report.Notes));
        Assert.Contains("Index candidates", phases);

        var index = Assert.Single(report.Indexes);
        Assert.Equal(Unique(schema, $"{schema.Name}.wa_orders"), index.Index.Table);
        Assert.Equal(["customer_id"], index.Index.KeyColumns);
        Assert.Equal(["id", "total"], index.Index.IncludeColumns.Order());
        Assert.True(index.Verified);
        Assert.Equal(200, index.Calls);
        Assert.NotNull(index.CostAfter);
        Assert.True(index.CostAfter < index.CostBefore / 10, index.Evidence);
        Assert.Equal(51, index.TableWriteStatements); // 50 INSERTs and the seeding one
        Assert.Contains("HypoPG", index.Evidence);
        Assert.StartsWith("CREATE INDEX CONCURRENTLY", index.Index.CreateStatement);

        var duplicate = Assert.Single(report.RedundantIndexes);
        Assert.Equal(Unique(schema, "wa_orders_created_b"), duplicate.Index.Index);
        Assert.Equal(Unique(schema, "wa_orders_created_a"), duplicate.CoveredBy);
        Assert.True(duplicate.IsExactDuplicate);
        Assert.True(duplicate.Index.SizeBytes > 0);

        var cache = Assert.Single(report.CacheCandidates);
        Assert.Contains(Unique(schema, "FROM wa_countries WHERE code = $1"), cache.Statement);
        Assert.Equal(400, cache.Calls);
        Assert.Equal([Unique(schema, "wa_countries")], cache.Tables);
        Assert.Equal(1, cache.TableWriteStatements); // the seeding INSERT
        Assert.True(cache.ExpectedHitRatio > 0.99);

        var view = Assert.Single(report.ViewCandidates);
        Assert.Contains(Unique(schema, "FROM wa_sales GROUP BY region"), view.Statement);
        Assert.Equal(20, view.Calls);
        Assert.Equal([Unique(schema, "wa_sales")], view.Tables);

        Assert.Equal(PoolVerdict.Fits, report.Pool.Verdict);
        Assert.False(report.NeedsNothing);

        // Without HypoPG the same candidate comes back, labelled unverified, with no cost after.
        var unverified = await advisor.AnalyzeAsync(new WorkloadAdvisorOptions { Schemas = [schema.Name], UseHypotheticalIndexes = false }, cancellationToken: _cancellation);
        var suggestion = Assert.Single(unverified.Indexes);
        Assert.False(suggestion.Verified);
        Assert.Null(suggestion.CostAfter);
        Assert.StartsWith("UNVERIFIED", suggestion.Evidence);
        Assert.Equal(index.Index.CreateStatement, suggestion.Index.CreateStatement);

        // Applied, the index changes the statement's plan, and the next report no longer asks for it.
        var applied = await advisor.ApplyIndexAsync(index, _cancellation);
        Assert.True(applied.PlanUsesIndex, applied.PlanJson);
        Assert.Equal(index.Index.IndexName, applied.IndexName);
        Assert.True(applied.CostAfter < applied.CostBefore / 10, applied.PlanJson);
        var after = await advisor.AnalyzeAsync(new WorkloadAdvisorOptions { Schemas = [schema.Name] }, cancellationToken: _cancellation);
        Assert.Empty(after.Indexes);
    }

    [Fact]
    public async Task A_workload_that_needs_nothing_gets_no_recommendation()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync(Unique(schema, """
            CREATE TABLE wc_accounts (id bigint PRIMARY KEY, balance numeric NOT NULL);
            INSERT INTO wc_accounts SELECT g, 100 FROM generate_series(1, 5000) g;
            """));
        await schema.ExecuteAsync(Unique(schema, "VACUUM ANALYZE wc_accounts"));
        await using (var connection = new NpgsqlConnection(schema.Primary))
        {
            await connection.OpenAsync(_cancellation);
            for (var i = 0; i < 150; i++)
            {
                // Every read is followed by a write of the same table: indexed, and nothing a cache could keep.
                var id = (long)(i * 13 % 5000) + 1;
                await connection.QueryAsync(Unique(schema, "SELECT balance FROM wc_accounts WHERE id = @id"), new { id });
                await connection.ExecuteAsync(Unique(schema, "UPDATE wc_accounts SET balance = balance + 1 WHERE id = @id"), new { id });
            }
        }

        await using var provider = Advisor(schema.Primary);
        var report = await provider.GetRequiredService<IWorkloadAdvisor>().AnalyzeAsync(new WorkloadAdvisorOptions { Schemas = [schema.Name] }, cancellationToken: _cancellation);

        Assert.True(report.StatementStatisticsAvailable);
        Assert.True(report.StatementsAnalyzed >= 1);
        Assert.Empty(report.Indexes);
        Assert.Empty(report.CacheCandidates);
        Assert.Empty(report.ViewCandidates);
        Assert.Empty(report.UnusedIndexes);
        Assert.Empty(report.RedundantIndexes);
        Assert.Empty(report.MaterializedViews);
        Assert.True(report.NeedsNothing, report.Pool.Evidence);
    }

    [Fact]
    public async Task A_materialized_view_refreshed_more_often_than_its_table_changes_is_named()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync(Unique(schema, """
            CREATE TABLE wm_events (id bigint PRIMARY KEY, kind int NOT NULL);
            INSERT INTO wm_events SELECT g, g % 5 FROM generate_series(1, 1000) g;
            CREATE MATERIALIZED VIEW wm_event_counts AS SELECT kind, count(*) AS n FROM wm_events GROUP BY kind;
            """));
        await using (var connection = new NpgsqlConnection(schema.Primary))
        {
            await connection.OpenAsync(_cancellation);
            for (var i = 0; i < 6; i++)
            {
                await connection.ExecuteAsync(Unique(schema, "REFRESH MATERIALIZED VIEW wm_event_counts"));
            }

            await connection.QueryAsync(Unique(schema, "SELECT * FROM wm_event_counts"));
        }

        await using var provider = Advisor(schema.Primary);
        var report = await provider.GetRequiredService<IWorkloadAdvisor>().AnalyzeAsync(new WorkloadAdvisorOptions { Schemas = [schema.Name] }, cancellationToken: _cancellation);

        var finding = Assert.Single(report.MaterializedViews);
        Assert.Equal(Unique(schema, $"{schema.Name}.wm_event_counts"), finding.View);
        Assert.Equal(6, finding.Refreshes);
        Assert.Equal(1, finding.SourceWriteStatements);
        Assert.Contains("Refreshed 6 times", finding.Evidence);
    }

    [Fact]
    public async Task Without_pg_stat_statements_in_the_database_the_report_says_why_and_creates_it_when_allowed()
    {
        var database = "wa_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(servers.Primary))
        {
            await admin.OpenAsync(_cancellation);
            await admin.ExecuteAsync($"CREATE DATABASE {database}");
        }

        var connectionString = new NpgsqlConnectionStringBuilder(servers.Primary) { Database = database, Pooling = false }.ConnectionString;
        try
        {
            await using (var provider = Advisor(connectionString))
            {
                var advisor = provider.GetRequiredService<IWorkloadAdvisor>();
                var refused = await advisor.AnalyzeAsync(new WorkloadAdvisorOptions { CreateExtensions = false }, cancellationToken: _cancellation);
                Assert.False(refused.StatementStatisticsAvailable);
                Assert.False(refused.HypotheticalIndexesAvailable);
                Assert.Contains(refused.Notes, n => n.Contains("CREATE EXTENSION pg_stat_statements", StringComparison.Ordinal));
                Assert.Contains(refused.Notes, n => n.Contains("CREATE EXTENSION hypopg", StringComparison.Ordinal));

                var created = await advisor.AnalyzeAsync(cancellationToken: _cancellation);
                Assert.True(created.StatementStatisticsAvailable, string.Join(" ", created.Notes));
                Assert.True(created.HypotheticalIndexesAvailable, string.Join(" ", created.Notes));
                Assert.Empty(created.Notes);
            }
        }
        finally
        {
            await using var admin = new NpgsqlConnection(servers.Primary);
            await admin.OpenAsync(_cancellation);
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    [Fact]
    public async Task A_pool_too_big_for_the_server_across_instances_is_named()
    {
        await using var provider = Advisor(servers.Primary, new PoolProfile { MaxPoolSize = 200 });

        var report = await provider.GetRequiredService<IWorkloadAdvisor>().AnalyzeAsync(
            new WorkloadAdvisorOptions { Schemas = ["wa_no_such_schema"], Instances = 4 }, cancellationToken: _cancellation);

        Assert.Equal(PoolVerdict.TooBig, report.Pool.Verdict);
        Assert.Equal(200, report.Pool.MaxPoolSize);
        Assert.Contains("4 instances x Max Pool Size 200 = 800", report.Pool.Evidence);
        Assert.False(report.NeedsNothing);
    }

    private static ServiceProvider Advisor(string connectionString, PoolProfile? pool = null)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddOrmPerf(o =>
        {
            o.ConnectionString = connectionString;
            o.Pool = pool ?? o.Pool;
        }).AddWorkloadAdvisor();
        return services.BuildServiceProvider();
    }

    /// <summary>Gives every table (and index) name of the text this run's suffix: wa_orders becomes wa_orders_1a2b3c...</summary>
    private static string Unique(TestSchema schema, string sql) =>
        Regex.Replace(sql, @"\b(w[acm]_[a-z_]+?)(_[ab])?\b", m => m.Groups[1].Value + "_" + schema.Name[2..] + m.Groups[2].Value);

    /// <summary>Records phases as they are reported (Progress&lt;T&gt; would post them to the thread pool, arriving late).</summary>
    private sealed class SynchronousProgress(List<string> phases) : IProgress<string>
    {
        public void Report(string value)
        {
            lock (phases)
            {
                phases.Add(value);
            }
        }
    }
}
