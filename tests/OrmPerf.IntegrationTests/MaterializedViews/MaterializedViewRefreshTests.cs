using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.MaterializedViews;

namespace OrmPerf.IntegrationTests.MaterializedViews;

/// <summary>Creation, refresh forms, reader behaviour and status of materialized views on the real primary.</summary>
public sealed class MaterializedViewRefreshTests(TestServers servers)
{
    private const string SalesSummary = "SELECT product_id, sum(quantity) AS quantity FROM orders GROUP BY product_id";
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ensure_created_is_idempotent_and_a_unique_key_enables_the_concurrent_refresh()
    {
        await using var schema = await CreateOrdersAsync();
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var views = new PostgresMaterializedViews(dataSource, TimeProvider.System);

        await views.EnsureCreatedAsync("sales_summary", SalesSummary, ["product_id"], _cancellation);
        await views.EnsureCreatedAsync($"{schema.Name}.sales_summary", SalesSummary, ["product_id"], _cancellation);
        await schema.ExecuteAsync("INSERT INTO orders (product_id, quantity) VALUES (3, 5)");
        var result = await views.RefreshAsync("sales_summary", _cancellation);

        Assert.Equal(MaterializedViewRefreshOutcome.Concurrently, result.Outcome);
        Assert.Equal($"{schema.Name}.sales_summary", result.View);
        Assert.Equal(3, result.Rows);
        await using var connection = await dataSource.OpenConnectionAsync(_cancellation);
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM pg_indexes WHERE tablename = 'sales_summary' AND schemaname = current_schema()"));
        Assert.Equal(5, await connection.ExecuteScalarAsync<int>("SELECT quantity FROM sales_summary WHERE product_id = 3"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("CREATE UNIQUE INDEX ON sales_summary ((product_id + 0))")]
    [InlineData("CREATE UNIQUE INDEX ON sales_summary (product_id) WHERE product_id > 0")]
    public async Task Without_a_suitable_unique_index_the_refresh_falls_back_to_the_plain_form(string indexDdl)
    {
        await using var schema = await CreateOrdersAsync();
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var views = new PostgresMaterializedViews(dataSource, TimeProvider.System);
        await views.EnsureCreatedAsync("sales_summary", SalesSummary, [], _cancellation);
        if (indexDdl.Length > 0)
        {
            await schema.ExecuteAsync(indexDdl);
        }

        var result = await views.RefreshAsync("sales_summary", _cancellation);

        Assert.Equal(MaterializedViewRefreshOutcome.Plain, result.Outcome);
        Assert.False((await views.GetStatusAsync("sales_summary", _cancellation)).CanRefreshConcurrently);
    }

    [Fact]
    public async Task An_unpopulated_view_gets_the_plain_refresh_then_the_concurrent_one()
    {
        await using var schema = await CreateOrdersAsync();
        await schema.ExecuteAsync($"CREATE MATERIALIZED VIEW sales_summary AS {SalesSummary} WITH NO DATA; CREATE UNIQUE INDEX ON sales_summary (product_id)");
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var views = new PostgresMaterializedViews(dataSource, TimeProvider.System);

        Assert.False((await views.GetStatusAsync("sales_summary", _cancellation)).IsPopulated);
        Assert.Equal(MaterializedViewRefreshOutcome.Plain, (await views.RefreshAsync("sales_summary", _cancellation)).Outcome);
        Assert.Equal(MaterializedViewRefreshOutcome.Concurrently, (await views.RefreshAsync("sales_summary", _cancellation)).Outcome);
    }

    [Fact]
    public async Task Readers_are_not_blocked_while_a_concurrent_refresh_runs()
    {
        await using var schema = await CreateSlowViewAsync();
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var views = new PostgresMaterializedViews(dataSource, TimeProvider.System);
        await views.EnsureCreatedAsync("slow_summary", "SELECT o.product_id, sum(o.quantity) AS quantity FROM orders o, pg_sleep((SELECT seconds FROM delay)) GROUP BY o.product_id", ["product_id"], _cancellation);
        // Long enough that a reader delayed by a loaded machine still overlaps the refresh.
        await schema.ExecuteAsync("UPDATE delay SET seconds = 6");

        var refresh = views.RefreshAsync("slow_summary", _cancellation);
        await WaitUntilRefreshRunsAsync(dataSource, "CONCURRENTLY");
        var reader = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(_cancellation);
        var rows = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM slow_summary");
        reader.Stop();

        Assert.Equal(2, rows);
        Assert.False(refresh.IsCompleted, "the refresh should still be running when the reader finishes");
        Assert.True(reader.Elapsed < TimeSpan.FromSeconds(3), $"the reader took {reader.Elapsed}");
        Assert.Equal(MaterializedViewRefreshOutcome.Concurrently, (await refresh).Outcome);
    }

    [Fact]
    public async Task A_plain_refresh_blocks_readers_which_is_why_the_concurrent_form_matters()
    {
        await using var schema = await CreateSlowViewAsync();
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var views = new PostgresMaterializedViews(dataSource, TimeProvider.System);
        await views.EnsureCreatedAsync("slow_summary", "SELECT o.product_id, sum(o.quantity) AS quantity FROM orders o, pg_sleep((SELECT seconds FROM delay)) GROUP BY o.product_id", [], _cancellation);
        await schema.ExecuteAsync("UPDATE delay SET seconds = 4");

        var refresh = views.RefreshAsync("slow_summary", _cancellation);
        await WaitUntilRefreshRunsAsync(dataSource, "slow_summary");
        await using var connection = await dataSource.OpenConnectionAsync(_cancellation);
        // Named with its schema, so that the wait below recognises the reader.
        var reading = connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {schema.Name}.slow_summary");

        // The reader waits on the refresh's lock: seen by the server, not inferred from a duration.
        await schema.WaitUntilASessionWaitsOnALockAsync(_cancellation);
        Assert.Equal(MaterializedViewRefreshOutcome.Plain, (await refresh).Outcome);
        Assert.Equal(2, await reading);
    }

    [Fact]
    public async Task Status_reports_the_last_refresh_and_its_staleness()
    {
        await using var schema = await CreateOrdersAsync();
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var views = new PostgresMaterializedViews(dataSource, time);
        await views.EnsureCreatedAsync("sales_summary", SalesSummary, ["product_id"], _cancellation);
        var before = await views.GetStatusAsync("sales_summary", _cancellation);

        await views.RefreshAsync("sales_summary", _cancellation);
        time.Advance(TimeSpan.FromMinutes(10));
        var after = await views.GetStatusAsync("sales_summary", _cancellation);

        Assert.Null(before.Staleness);
        Assert.True(after.IsPopulated);
        Assert.True(after.CanRefreshConcurrently);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero), after.LastRefreshStartedAt);
        Assert.Equal(TimeSpan.FromMinutes(10), after.Staleness);
        Assert.Equal(2, after.Rows);
        Assert.Null(after.LastError);
    }

    [Fact]
    public async Task A_failed_refresh_is_recorded_in_the_status()
    {
        await using var schema = await CreateOrdersAsync();
        await schema.ExecuteAsync("CREATE TABLE divisor (d int); INSERT INTO divisor VALUES (1)");
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var views = new PostgresMaterializedViews(dataSource, TimeProvider.System);
        await views.EnsureCreatedAsync("ratio", "SELECT product_id, quantity / (SELECT d FROM divisor) AS q FROM orders", [], _cancellation);
        await schema.ExecuteAsync("UPDATE divisor SET d = 0");

        await Assert.ThrowsAsync<PostgresException>(() => views.RefreshAsync("ratio", _cancellation));
        var status = await views.GetStatusAsync("ratio", _cancellation);

        Assert.Contains("division by zero", status.LastError);
        Assert.NotNull(status.LastErrorAt);
    }

    [Fact]
    public async Task An_unknown_view_and_an_injected_name_are_rejected()
    {
        await using var schema = await CreateOrdersAsync();
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var views = new PostgresMaterializedViews(dataSource, TimeProvider.System);

        var unknown = await Assert.ThrowsAsync<InvalidOperationException>(() => views.RefreshAsync("no_such_view", _cancellation));
        Assert.Contains("no_such_view", unknown.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => views.RefreshAsync("orders; DROP TABLE orders", _cancellation));
        await Assert.ThrowsAsync<ArgumentException>(() => views.EnsureCreatedAsync("v", SalesSummary, ["product_id) WHERE (true"], _cancellation));
    }

    [Fact]
    public async Task Views_are_ordered_after_the_materialized_views_they_read()
    {
        await using var schema = await CreateOrdersAsync();
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var views = new PostgresMaterializedViews(dataSource, TimeProvider.System);
        await views.EnsureCreatedAsync("base_summary", SalesSummary, ["product_id"], _cancellation);
        await views.EnsureCreatedAsync("middle_summary", "SELECT product_id, quantity * 2 AS q FROM base_summary", ["product_id"], _cancellation);
        await views.EnsureCreatedAsync("top_summary", "SELECT sum(q) AS total FROM middle_summary", [], _cancellation);

        var ordered = await views.OrderBySourcesFirstAsync(["top_summary", "middle_summary", "base_summary"], _cancellation);

        Assert.Equal(["base_summary", "middle_summary", "top_summary"], ordered);
    }

    private async Task<TestSchema> CreateOrdersAsync()
    {
        var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("""
            CREATE TABLE orders (id bigserial PRIMARY KEY, product_id int NOT NULL, quantity int NOT NULL);
            INSERT INTO orders (product_id, quantity) VALUES (1, 2), (1, 3), (2, 7);
            """);
        return schema;
    }

    private async Task<TestSchema> CreateSlowViewAsync()
    {
        var schema = await CreateOrdersAsync();
        await schema.ExecuteAsync("CREATE TABLE delay (seconds double precision NOT NULL); INSERT INTO delay VALUES (0)");
        return schema;
    }

    /// <summary>Waits until another session runs the REFRESH statement (so the test's reader really overlaps it).</summary>
    private async Task WaitUntilRefreshRunsAsync(NpgsqlDataSource dataSource, string textInQuery)
    {
        await using var connection = await dataSource.OpenConnectionAsync(_cancellation);
        var deadline = Stopwatch.StartNew();
        while (await connection.ExecuteScalarAsync<int>(
                   "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'REFRESH MATERIALIZED VIEW%' AND query LIKE '%' || @text || '%' AND pid <> pg_backend_pid() AND state = 'active'",
                   new { text = textInQuery }) == 0)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the refresh did not start");
            await Task.Delay(20, _cancellation);
        }
    }
}
