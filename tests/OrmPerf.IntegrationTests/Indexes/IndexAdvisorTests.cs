using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using OrmPerf.Indexes;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Indexes;

/// <summary>The index report and plan checks against the real primary's statistics.</summary>
public sealed class IndexAdvisorTests(TestServers servers)
{
    private const string ArticleQuery = "SELECT id, last_login FROM users WHERE email = @email AND last_login > @since";
    private readonly object _articleParameters = new { email = "user42@example.test", since = DateTime.UtcNow.AddDays(-1) };
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_planted_unused_index_and_planted_duplicates_are_reported_but_key_indexes_are_not()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("""
            CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, name text, last_login timestamptz);
            CREATE INDEX users_name_idx ON users (name);
            CREATE INDEX users_login_a ON users (last_login);
            CREATE INDEX users_login_b ON users (last_login);
            CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, created_at timestamptz);
            CREATE INDEX orders_customer ON orders (customer_id);
            CREATE INDEX orders_customer_created ON orders (customer_id, created_at);
            CREATE INDEX orders_created_partial ON orders (created_at) WHERE customer_id IS NULL;
            CREATE INDEX orders_created ON orders (created_at);
            """);
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var advisor = new PostgresIndexAdvisor(dataSource, TimeProvider.System);

        var report = await advisor.AnalyzeAsync(new IndexAnalysisOptions { Schemas = [schema.Name] }, _cancellation);

        var unused = report.UnusedIndexes.Select(i => i.Index).ToHashSet();
        Assert.Contains("users_name_idx", unused);
        Assert.DoesNotContain("users_pkey", unused);
        Assert.DoesNotContain("users_email_key", unused);
        Assert.All(report.UnusedIndexes, i => Assert.Equal(schema.Name, i.Schema));
        Assert.Equivalent(
            new[] { ("users_login_b", "users_login_a", true), ("orders_customer", "orders_customer_created", false) },
            report.RedundantIndexes.Select(r => (r.Index.Index, r.CoveredBy, r.IsExactDuplicate)),
            strict: true);
        Assert.Contains("CREATE INDEX users_login_b", report.RedundantIndexes[0].Index.Definition + report.RedundantIndexes[1].Index.Definition);
    }

    [Fact]
    public async Task A_scanned_index_is_not_unused_and_a_failed_concurrent_build_is_reported_invalid()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("""
            CREATE TABLE items (id bigint, code text);
            INSERT INTO items SELECT g, 'c' || (g % 10) FROM generate_series(1, 5000) g;
            CREATE INDEX items_id_idx ON items (id);
            """);
        // Separately: run in the inserting transaction, ANALYZE would not count the new rows as live.
        await schema.ExecuteAsync("ANALYZE items");
        await Assert.ThrowsAsync<PostgresException>(() => schema.ExecuteAsync("CREATE UNIQUE INDEX CONCURRENTLY items_code_key ON items (code)"));
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        await using (var connection = await dataSource.OpenConnectionAsync(_cancellation))
        {
            for (var i = 0; i < 3; i++)
            {
                await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items");
                await connection.ExecuteScalarAsync<string>("SELECT code FROM items WHERE id = @id", new { id = 42L });
            }

            // Cumulative statistics are flushed lazily; make this session's counters visible now.
            await connection.ExecuteAsync("SELECT pg_stat_force_next_flush()");
            await connection.ExecuteAsync("SELECT 1");
        }

        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var advisor = new PostgresIndexAdvisor(dataSource, time);
        var report = await advisor.AnalyzeAsync(new IndexAnalysisOptions { Schemas = [schema.Name], MinSequentialScans = 3, MinRowsForSequentialScanReport = 1000 }, _cancellation);

        Assert.DoesNotContain(report.UnusedIndexes, i => i.Index == "items_id_idx");
        Assert.Equal(["items_code_key"], report.InvalidIndexes.Select(i => i.Index));
        var table = Assert.Single(report.SequentialScanHeavyTables);
        Assert.Equal("items", table.Table);
        Assert.True(table.LiveRows >= 5000);
        Assert.True(table.SequentialScans >= 3);
        Assert.True(report.StatisticsAge > TimeSpan.Zero);
        Assert.True(report.ServerStartedAt <= time.GetUtcNow());
    }

    [Fact]
    public async Task The_covering_index_turns_the_article_query_into_an_index_only_scan()
    {
        await using var schema = await CreateArticleUsersAsync();
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var advisor = new PostgresIndexAdvisor(dataSource, TimeProvider.System);
        await schema.ExecuteAsync("VACUUM ANALYZE users");
        var before = await advisor.ExplainAsync(ArticleQuery, _articleParameters, _cancellation);

        await schema.ExecuteAsync(CoveringIndex.CreateStatement("users", ["email", "last_login"], ["id"]));
        // The planner costs an index-only scan by the visibility map, which VACUUM sets.
        await schema.ExecuteAsync("VACUUM ANALYZE users");
        var after = await advisor.ExplainAsync(ArticleQuery, _articleParameters, _cancellation);

        Assert.True(before.UsesSequentialScan, before.PlanJson);
        Assert.False(before.UsesIndexOnlyScan);
        Assert.True(after.UsesIndexOnlyScan, after.PlanJson);
        Assert.Contains("users_email_last_login_covering", after.PlanJson);
    }

    [Fact]
    public async Task The_index_suggested_from_the_plan_turns_the_article_query_into_an_index_only_scan_on_it()
    {
        await using var schema = await CreateArticleUsersAsync();
        await schema.ExecuteAsync("ANALYZE users");
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var advisor = new PostgresIndexAdvisor(dataSource, TimeProvider.System);

        var suggestion = await advisor.SuggestCoveringIndexAsync(ArticleQuery, _articleParameters, _cancellation);
        Assert.NotNull(suggestion);
        Assert.Equal($"{schema.Name}.users", suggestion.Table);
        Assert.Equal(["email", "last_login"], suggestion.KeyColumns);
        Assert.Equal(["id"], suggestion.IncludeColumns);
        Assert.False((await advisor.ExplainAsync(ArticleQuery, _articleParameters, _cancellation)).UsesIndexOnlyScanOn(suggestion.IndexName));

        var plan = await advisor.CreateSuggestedIndexAsync(suggestion, ArticleQuery, _articleParameters, cancellationToken: _cancellation);

        Assert.True(plan.UsesIndexOnlyScanOn(suggestion.IndexName), plan.PlanJson);
        Assert.False(plan.UsesIndexOnlyScanOn("some_other_index"));
    }

    /// <summary>20,000 users without any index on email, for the article's query.</summary>
    private async Task<TestSchema> CreateArticleUsersAsync()
    {
        var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("""
            CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text, bio text, last_login timestamptz NOT NULL);
            INSERT INTO users SELECT g, 'user' || g || '@example.test', 'name ' || g, repeat('x', 100), now() - g * interval '1 minute'
            FROM generate_series(1, 20000) g;
            """);
        return schema;
    }
}
