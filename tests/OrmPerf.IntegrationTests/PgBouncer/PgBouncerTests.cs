using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OrmPerf.AtomicUpdates;
using OrmPerf.Batching;
using OrmPerf.Caching;
using OrmPerf.Changes;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.IntegrationTests.MaterializedViews;
using OrmPerf.MaterializedViews;
using OrmPerf.Routing;
using OrmPerf.Testing;

namespace OrmPerf.IntegrationTests.PgBouncer;

/// <summary>
/// OrmPerf through PgBouncer in transaction mode (<c>eng/services.sh</c> starts it in front of the primary): each
/// transaction may run on another server session, so nothing may rely on session state. A pooled connection string
/// cannot carry a search_path (PgBouncer 1.18 refuses the start-up parameter), so names here are schema-qualified.
/// </summary>
public sealed class PgBouncerTests(TestServers servers)
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_connection_really_goes_through_a_transaction_pooler()
    {
        await using var dataSource = NpgsqlDataSource.Create(servers.Bouncer);
        await using var connection = await dataSource.OpenConnectionAsync(_cancellation);

        // PgBouncer answers the start-up with a process id of its own.
        Assert.NotEqual(connection.ProcessID, await connection.ExecuteScalarAsync<int>("SELECT pg_backend_pid()"));
    }

    [Fact]
    public async Task Cached_queries_read_and_invalidate_through_PgBouncer()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'old')");
        await using var provider = Services(o => o.ConnectionString = servers.Bouncer).AddQueryCache().Services.BuildServiceProvider();
        var cache = provider.GetRequiredService<IQueryCache>();
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        var sql = $"SELECT name FROM {schema.Name}.items WHERE id = @id";

        var first = await dataSource.QueryFirstOrDefaultCachedAsync<string>(cache, sql, new { id = 1 }, cancellationToken: _cancellation);
        await schema.ExecuteAsync("UPDATE items SET name = 'new'");
        var cached = await dataSource.QueryFirstOrDefaultCachedAsync<string>(cache, sql, new { id = 1 }, cancellationToken: _cancellation);
        await cache.InvalidateTablesAsync([$"{schema.Name}.items"], _cancellation);
        var afterInvalidation = await dataSource.QueryFirstOrDefaultCachedAsync<string>(cache, sql, new { id = 1 }, cancellationToken: _cancellation);

        Assert.Equal(("old", "old", "new"), (first, cached, afterInvalidation));
    }

    [Theory]
    [InlineData(0)] // COPY into a temporary table, then one upsert statement
    [InlineData(1_000)] // one multi-row INSERT ... ON CONFLICT
    public async Task The_batch_writer_upserts_with_generated_keys_through_PgBouncer(int smallBatchInsertLimit)
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE member (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL); "
            + "INSERT INTO member (email, name) VALUES ('m1@example.com', 'old')");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        builder.Services.AddOrmPerf(o => o.ConnectionString = servers.Bouncer)
            .AddBatchWriter<Member>(
                t => t.Table("member", schema.Name).GeneratedKey(m => m.Id).Column(m => m.Email).Column(m => m.Name).Key("email"),
                o =>
                {
                    o.Mode = WriteMode.Upsert;
                    o.SmallBatchInsertLimit = smallBatchInsertLimit;
                });
        using var host = builder.Build();
        await host.StartAsync(_cancellation);
        var writer = host.Services.GetRequiredService<IBatchWriter<Member>>();
        var members = Enumerable.Range(1, 300).Select(i => new Member { Email = $"m{i}@example.com", Name = "new" }).ToList();

        var written = await writer.WriteManyAsync(members, cancellationToken: _cancellation);
        var single = new Member { Email = "single@example.com", Name = "one" };
        await writer.WriteAsync(single, _cancellation);
        await host.StopAsync(_cancellation);

        await using var connection = new NpgsqlConnection(schema.Primary);
        var stored = (await connection.QueryAsync<(long Id, string Email, string Name)>("SELECT id, email, name FROM member")).ToDictionary(m => m.Email);
        Assert.Equal(300, written);
        Assert.Equal(301, stored.Count);
        Assert.All(members, m => Assert.Equal(stored[m.Email].Id, m.Id));
        Assert.All(members, m => Assert.Equal("new", stored[m.Email].Name));
        Assert.Equal(stored["single@example.com"].Id, single.Id);
    }

    [Fact]
    public async Task Concurrent_row_updates_lose_nothing_through_PgBouncer()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE accounts (id bigint PRIMARY KEY, hits bigint NOT NULL DEFAULT 0, version int NOT NULL DEFAULT 1); INSERT INTO accounts (id) VALUES (1)");
        await using var dataSource = NpgsqlDataSource.Create(servers.Bouncer);

        await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(_cancellation);
            await RowUpdate.Of($"{schema.Name}.accounts", "id", 1L).Increment("hits").ThrowWhenNoRowChanged().ExecuteAsync(connection, cancellationToken: _cancellation);
        }));
        await using var checker = await dataSource.OpenConnectionAsync(_cancellation);
        var versioned = await RowUpdate.Of($"{schema.Name}.accounts", "id", 1L).Increment("hits").WithVersion("version", 1).ExecuteAsync(checker, cancellationToken: _cancellation);
        var stale = await RowUpdate.Of($"{schema.Name}.accounts", "id", 1L).Increment("hits").WithVersion("version", 1).ExecuteAsync(checker, cancellationToken: _cancellation);

        Assert.Equal(new RowUpdateResult(true, 2), versioned);
        Assert.Equal(new RowUpdateResult(false, null), stale);
        Assert.Equal(41, await checker.ExecuteScalarAsync<long>($"SELECT hits FROM {schema.Name}.accounts"));
    }

    [Fact]
    public async Task Two_view_schedulers_through_PgBouncer_populate_at_start_up_and_refresh_once_per_tick()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE SEQUENCE refresh_count; CREATE MATERIALIZED VIEW ticked AS SELECT nextval('refresh_count') AS n WITH NO DATA");
        using var recorder = new RefreshOutcomeRecorder(schema.Name);
        var every = TimeSpan.FromSeconds(1);
        var clocks = new[] { new TimerCountingTimeProvider(), new TimerCountingTimeProvider() };
        var start = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        clocks[0].SetUtcNow(start + TimeSpan.FromMilliseconds(100));
        clocks[1].SetUtcNow(start + TimeSpan.FromMilliseconds(600));
        // Timers each scheduler has set once started: the first also bounded its start-up refresh with one.
        var started = new[] { 2, 1 };
        var hosts = new List<IHost>();
        try
        {
            for (var i = 0; i < clocks.Length; i++)
            {
                var clock = clocks[i];
                var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
                builder.Services.AddLogging().AddSingleton<TimeProvider>(clock);
                builder.Services.AddOrmPerf(o => o.ConnectionString = servers.Bouncer).AddMaterializedView($"{schema.Name}.ticked", every);
                var host = builder.Build();
                hosts.Add(host);
                await host.StartAsync(_cancellation);
                await clock.WaitForTimersAsync(started[i], _cancellation);
            }

            // Populated by the first host's start-up (the second found it populated).
            Assert.Equal([("ticked", "plain")], recorder.Outcomes);
            for (var tick = 1; tick <= 3; tick++)
            {
                foreach (var clock in clocks)
                {
                    clock.SetUtcNow(start + tick * every);
                }

                for (var i = 0; i < clocks.Length; i++)
                {
                    await clocks[i].WaitForTimersAsync(started[i] + tick, _cancellation);
                }
            }
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.StopAsync(CancellationToken.None);
                host.Dispose();
            }
        }

        var outcomes = recorder.Outcomes.Skip(1).Select(o => o.Outcome).ToList();
        Assert.Equal(6, outcomes.Count);
        Assert.Equal(3, outcomes.Count(o => o != "skipped"));
        await using var connection = new NpgsqlConnection(schema.Primary);
        Assert.Equal(4, await connection.ExecuteScalarAsync<long>("SELECT last_value FROM refresh_count"));
    }

    [Fact]
    public async Task The_router_writes_through_PgBouncer_and_reads_its_writes()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE notes (id int PRIMARY KEY, body text)");
        await servers.WaitForReplicaAsync();
        await using var host = await Routing.RoutingHost.StartAsync(servers.Bouncer, o => o.Replicas.Add(new() { Name = "replica", ConnectionString = servers.Replica }));
        await using var scope = host.NewScope();
        var router = scope.Router;

        await router.ExecuteAsync($"INSERT INTO {schema.Name}.notes VALUES (1, 'written through PgBouncer')", cancellationToken: _cancellation);
        var token = await router.GetConsistencyTokenAsync(_cancellation);
        await using var read = await router.OpenConnectionAsync(Intent.Read, token, _cancellation);
        var body = await read.ExecuteScalarAsync<string>($"SELECT body FROM {schema.Name}.notes WHERE id = 1");

        Assert.NotNull(token);
        Assert.Equal("written through PgBouncer", body);
    }

    [Fact]
    public async Task Change_notifications_refuse_a_pooled_connection_naming_the_setting_and_work_with_a_direct_one()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE orders (id int); CREATE MATERIALIZED VIEW sales AS SELECT count(*) AS n FROM orders");

        var refused = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => ListenAsync(direct: null));
        var listening = await ListenAsync(direct: servers.Primary);

        Assert.Contains(nameof(TableChangeNotificationOptions.ConnectionString), refused.Message, StringComparison.Ordinal);
        Assert.Contains("pooler", refused.Message, StringComparison.Ordinal);
        Assert.True(listening);

        // True once a NOTIFY made a refresh; throws what stopped the listener.
        async Task<bool> ListenAsync(string? direct)
        {
            using var recorder = new RefreshOutcomeRecorder(schema.Name);
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Services.AddLogging();
            builder.Services.AddOrmPerf(o => o.ConnectionString = servers.Bouncer)
                .AddMaterializedView($"{schema.Name}.sales", TimeSpan.FromHours(1), o =>
                {
                    o.RefreshOnChange = true;
                    o.ChangeDebounce = TimeSpan.FromMilliseconds(100);
                })
                .AddMaterializedViewChangeNotifications(o => o.ConnectionString = direct);
            using var host = builder.Build();
            await host.StartAsync(_cancellation);
            var listener = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().Single(s => s.GetType().Name == "TableChangeNotificationListener");
            try
            {
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
                while (DateTime.UtcNow < deadline)
                {
                    if (listener.ExecuteTask is { IsFaulted: true } failed)
                    {
                        throw failed.Exception!.InnerException!;
                    }

                    // Notified until heard: the listener may not be listening yet.
                    await schema.ExecuteAsync($"NOTIFY ormperf_table_changed, '{schema.Name}.orders'");
                    await Task.Delay(200, _cancellation);
                    if (recorder.Outcomes.Any(o => o.View == "sales"))
                    {
                        return true;
                    }
                }

                return false;
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        }
    }

    private static IOrmPerfBuilder Services(Action<OrmPerfOptions> configure) => new ServiceCollection().AddLogging().AddOrmPerf(configure);

    private sealed class Member
    {
        public long Id { get; set; }

        public string Email { get; init; } = "";

        public string Name { get; init; } = "";
    }
}
