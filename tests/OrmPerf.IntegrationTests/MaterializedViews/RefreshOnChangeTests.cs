using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using OrmPerf.Changes;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.MaterializedViews;

namespace OrmPerf.IntegrationTests.MaterializedViews;

/// <summary>Refresh on reported writes, against the real primary, with the scheduler's clock faked.</summary>
public sealed class RefreshOnChangeTests(TestServers servers)
{
    private static readonly TimeSpan Tick = TimeSpan.FromHours(1);
    private static readonly TimeSpan Debounce = TimeSpan.FromSeconds(2);
    private const string ListenStatement = "LISTEN \"ormperf_table_changed\"";
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_write_reported_by_the_batch_writer_seam_refreshes_the_view_before_the_next_tick()
    {
        await using var schema = await CreateSalesAsync();
        using var recorder = new RefreshOutcomeRecorder(schema.Name);
        await using var host = await StartAsync(schema, notifications: false);
        var startedAt = _time.GetUtcNow();

        await schema.ExecuteAsync("INSERT INTO orders (product_id, quantity) VALUES (1, 5)");
        var listener = Assert.Single(host.Services.GetServices<ITableChangeListener>());
        await listener.OnTablesChangedAsync([$"{schema.Name}.orders"], _cancellation);

        await AssertRefreshedBeforeTheNextTickAsync(schema, recorder, startedAt);
    }

    [Fact]
    public async Task A_notify_from_outside_the_process_refreshes_the_view_before_the_next_tick()
    {
        await using var schema = await CreateSalesAsync();
        using var recorder = new RefreshOutcomeRecorder(schema.Name);
        await using var host = await StartAsync(schema, notifications: true);
        var startedAt = _time.GetUtcNow();
        await WaitForListeningAsync(schema.Name);

        await schema.ExecuteAsync($"BEGIN; INSERT INTO orders (product_id, quantity) VALUES (1, 5); NOTIFY ormperf_table_changed, '{schema.Name}.orders'; COMMIT;");

        await AssertRefreshedBeforeTheNextTickAsync(schema, recorder, startedAt);
    }

    [Fact]
    public async Task After_the_listening_connection_drops_every_view_is_refreshed_since_writes_may_have_been_missed()
    {
        await using var schema = await CreateSalesAsync();
        using var recorder = new RefreshOutcomeRecorder(schema.Name);
        await using var host = await StartAsync(schema, notifications: true);
        var startedAt = _time.GetUtcNow();
        await WaitForListeningAsync(schema.Name);

        await schema.ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = '{ListenStatement}'");
        // Written while nobody listens, and never reported.
        await schema.ExecuteAsync("INSERT INTO orders (product_id, quantity) VALUES (1, 5)");

        await AssertRefreshedBeforeTheNextTickAsync(schema, recorder, startedAt);
    }

    [Fact]
    public async Task Source_tables_are_found_through_plain_and_materialized_views()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("""
            CREATE TABLE orders (id int PRIMARY KEY, product_id int NOT NULL);
            CREATE TABLE products (id int PRIMARY KEY, name text NOT NULL);
            CREATE TABLE unrelated (id int);
            CREATE VIEW open_orders AS SELECT id, product_id FROM orders;
            """);
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var views = new PostgresMaterializedViews(dataSource, TimeProvider.System);
        await views.EnsureCreatedAsync("product_names", "SELECT id, name FROM products", ["id"], _cancellation);
        await views.EnsureCreatedAsync("order_lines", "SELECT o.id, p.name FROM open_orders o JOIN product_names p ON p.id = o.product_id", ["id"], _cancellation);

        var sources = await views.GetSourceTablesAsync("order_lines", _cancellation);

        Assert.Equal([$"{schema.Name}.orders", $"{schema.Name}.products"], sources);
    }

    private async Task<TestSchema> CreateSalesAsync()
    {
        var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("""
            CREATE TABLE orders (id serial PRIMARY KEY, product_id int NOT NULL, quantity int NOT NULL);
            INSERT INTO orders (product_id, quantity) VALUES (1, 2), (1, 1), (2, 4);
            """);
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        await new PostgresMaterializedViews(dataSource, TimeProvider.System).EnsureCreatedAsync(
            "sales", "SELECT product_id, sum(quantity) AS total FROM orders GROUP BY product_id", ["product_id"], _cancellation);
        return schema;
    }

    /// <summary>One concurrent refresh, well before the hourly tick, and the view shows the reported write (3 + 5 for product 1).</summary>
    private async Task AssertRefreshedBeforeTheNextTickAsync(TestSchema schema, RefreshOutcomeRecorder recorder, DateTimeOffset startedAt)
    {
        await AdvanceUntilAsync(() => recorder.Outcomes.Count > 0);

        Assert.Equal([("sales", "concurrently")], recorder.Outcomes);
        Assert.True(_time.GetUtcNow() - startedAt < Tick);
        await using var connection = new NpgsqlConnection(schema.Primary);
        Assert.Equal(8, await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT total FROM sales WHERE product_id = 1", cancellationToken: _cancellation)));
    }

    private async Task WaitForListeningAsync(string schemaName)
    {
        await using var connection = new NpgsqlConnection(servers.Primary);
        await connection.OpenAsync(_cancellation);
        var wall = Stopwatch.StartNew();
        while (await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT count(*) FROM pg_stat_activity WHERE query = '{ListenStatement}' AND state = 'idle'", cancellationToken: _cancellation)) == 0)
        {
            Assert.True(wall.Elapsed < TimeSpan.FromSeconds(30), $"The listener for {schemaName} did not start listening.");
            await Task.Delay(50, _cancellation);
        }
    }

    /// <summary>
    /// Advances the fake clock in small steps, giving the scheduler real time to refresh between them, until the
    /// condition holds; fails well before the next tick would be due.
    /// </summary>
    private async Task AdvanceUntilAsync(Func<bool> condition)
    {
        var step = TimeSpan.FromMilliseconds(250);
        var wall = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(wall.Elapsed < TimeSpan.FromSeconds(30), "The view was not refreshed after the reported write.");
            _time.Advance(step);
            await Task.Delay(20, _cancellation);
        }
    }

    private async Task<RunningHost> StartAsync(TestSchema schema, bool notifications)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging().AddSingleton<TimeProvider>(_time);
        var orm = builder.Services.AddOrmPerf(o => o.ConnectionString = schema.Primary)
            .AddMaterializedView("sales", Tick, o =>
            {
                o.RefreshOnChange = true;
                o.ChangeDebounce = Debounce;
            });
        if (notifications)
        {
            orm.AddMaterializedViewChangeNotifications();
        }

        var host = builder.Build();
        await host.StartAsync(_cancellation);
        return new RunningHost(host);
    }

    private sealed class RunningHost(IHost host) : IAsyncDisposable
    {
        public IServiceProvider Services => host.Services;

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }
    }
}
