using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.MaterializedViews;
using OrmPerf.Testing;

namespace OrmPerf.IntegrationTests.MaterializedViews;

/// <summary>The hosted refresh scheduler, driven by a fake clock, against the real primary.</summary>
public sealed class MaterializedViewSchedulerTests(TestServers servers)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Three_schedulers_started_170_and_500_ms_apart_refresh_a_view_once_per_tick()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE SEQUENCE refresh_count");
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        // Each refresh draws one number: the sequence counts the refreshes that ran, whoever ran them.
        await new PostgresMaterializedViews(dataSource, TimeProvider.System).EnsureCreatedAsync(
            "ticked", "SELECT nextval('refresh_count') AS n", [], _cancellation);
        using var recorder = new RefreshOutcomeRecorder(schema.Name);
        var every = TimeSpan.FromSeconds(1);
        // The instances start 450, 620 and 950 ms into a second: the old rhythm (start + interval) never lined them up.
        var boundary = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var offsets = new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(170), TimeSpan.FromMilliseconds(500) };
        var clocks = new List<TimerCountingTimeProvider>();
        var hosts = new List<RunningServices>();
        try
        {
            foreach (var offset in offsets)
            {
                var now = boundary + TimeSpan.FromMilliseconds(450) + offset;
                foreach (var running in clocks)
                {
                    running.SetUtcNow(now);
                }

                var clock = new TimerCountingTimeProvider();
                clock.SetUtcNow(now);
                clocks.Add(clock);
                hosts.Add(await StartAsync(schema, clock, every, configure: null, "ticked"));
            }

            for (var tick = 1; tick <= 11; tick++)
            {
                // Each instance reaches the tick a little after it (its clock's skew); on odd ticks one after the other
                // has finished (refreshes that never overlap in time), on even ticks all at once (claims that race).
                var at = boundary + (tick * every);
                for (var i = 0; i < clocks.Count; i++)
                {
                    clocks[i].SetUtcNow(at + offsets[i] / 10);
                    if (tick % 2 == 1)
                    {
                        await clocks[i].WaitForTimersAsync(1 + tick, _cancellation);
                    }
                }

                foreach (var clock in clocks)
                {
                    // The next timer is set after the tick's refresh or skip was counted.
                    await clock.WaitForTimersAsync(1 + tick, _cancellation);
                }

                var outcomes = recorder.Outcomes.Select(o => o.Outcome).ToList();
                Assert.Equal(3 * tick, outcomes.Count);
                Assert.Equal(tick, outcomes.Count(o => o == "plain"));
                Assert.Equal(2 * tick, outcomes.Count(o => o == "skipped"));
                await using var connection = await dataSource.OpenConnectionAsync(_cancellation);
                Assert.Equal(1 + tick, await connection.ExecuteScalarAsync<long>("SELECT last_value FROM refresh_count"));
            }
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_view_created_with_no_data_is_readable_when_start_up_completes()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE MATERIALIZED VIEW unpopulated AS SELECT 42 AS answer WITH NO DATA");

        await using var host = await StartAsync(schema, new TimerCountingTimeProvider(), Interval, configure: null, "unpopulated");

        await using var connection = new NpgsqlConnection(schema.Primary);
        Assert.Equal(42, await connection.ExecuteScalarAsync<int>("SELECT answer FROM unpopulated"));
    }

    [Fact]
    public async Task Populating_an_unpopulated_view_at_start_up_is_bounded_by_its_timeout()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE MATERIALIZED VIEW slow AS SELECT 1 AS one FROM pg_sleep(30) WITH NO DATA");
        var wall = Stopwatch.StartNew();

        await using var host = await StartAsync(schema, TimeProvider.System, Interval, o => o.PopulateOnStartTimeout = TimeSpan.FromSeconds(1), "slow");

        Assert.InRange(wall.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));
        await using var connection = new NpgsqlConnection(schema.Primary);
        Assert.False(await connection.ExecuteScalarAsync<bool>($"SELECT ispopulated FROM pg_matviews WHERE schemaname = '{schema.Name}' AND matviewname = 'slow'"));
    }

    [Theory]
    [InlineData("no_such_view", "")]
    [InlineData("plain_view", "CREATE VIEW plain_view AS SELECT 1 AS one")]
    [InlineData("a_table", "CREATE TABLE a_table (id int)")]
    public async Task A_view_that_is_missing_or_not_materialized_fails_start_up_with_its_name(string view, string ddl)
    {
        await using var schema = await servers.CreateSchemaAsync();
        if (ddl.Length > 0)
        {
            await schema.ExecuteAsync(ddl);
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(schema, new TimerCountingTimeProvider(), Interval, configure: null, view));

        Assert.Contains($"'{view}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(MaterializedViewRefreshOptions.ValidateOnStart), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_view_opted_out_of_start_up_checks_may_be_created_after_start_up()
    {
        await using var schema = await servers.CreateSchemaAsync();
        using var recorder = new RefreshOutcomeRecorder(schema.Name);
        var time = new TimerCountingTimeProvider();
        await using var host = await StartAsync(schema, time, Interval, o => o.ValidateOnStart = false, "migrated_later");

        await schema.ExecuteAsync("CREATE MATERIALIZED VIEW migrated_later AS SELECT 1 AS one WITH NO DATA");
        time.Advance(Interval);
        await recorder.WaitForAsync(1, _cancellation);

        Assert.Equal([("migrated_later", "plain")], recorder.Outcomes);
    }

    [Fact]
    public async Task A_failed_refresh_does_not_stop_the_scheduler_and_is_retried_at_the_next_tick()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE divisor (d int); INSERT INTO divisor VALUES (1)");
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var views = new PostgresMaterializedViews(dataSource, TimeProvider.System);
        await views.EnsureCreatedAsync("fragile", "SELECT 10 / (SELECT d FROM divisor) AS q", [], _cancellation);
        await views.EnsureCreatedAsync("sturdy", "SELECT 1 AS one", [], _cancellation);
        await schema.ExecuteAsync("UPDATE divisor SET d = 0");
        using var recorder = new RefreshOutcomeRecorder(schema.Name);
        var time = new TimerCountingTimeProvider();
        await using var host = await StartAsync(schema, time, Interval, configure: null, "fragile", "sturdy");

        time.Advance(Interval);
        await recorder.WaitForAsync(2, _cancellation);
        await time.WaitForTimersAsync(2, _cancellation);
        await schema.ExecuteAsync("UPDATE divisor SET d = 2");
        time.Advance(Interval);
        await recorder.WaitForAsync(4, _cancellation);

        Assert.Equal(
            [("fragile", "failed"), ("sturdy", "plain"), ("fragile", "plain"), ("sturdy", "plain")],
            recorder.Outcomes);
        await using var connection = await dataSource.OpenConnectionAsync(_cancellation);
        Assert.Equal(5, await connection.ExecuteScalarAsync<int>("SELECT q FROM fragile"));
    }

    [Fact]
    public async Task Views_due_at_the_same_tick_are_refreshed_sources_first()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var views = new PostgresMaterializedViews(dataSource, TimeProvider.System);
        await views.EnsureCreatedAsync("source_view", "SELECT 1 AS id", ["id"], _cancellation);
        await views.EnsureCreatedAsync("reader_view", "SELECT id FROM source_view", ["id"], _cancellation);
        using var recorder = new RefreshOutcomeRecorder(schema.Name);
        var time = new TimerCountingTimeProvider();
        await using var host = await StartAsync(schema, time, Interval, configure: null, "reader_view", "source_view");

        time.Advance(Interval);
        await recorder.WaitForAsync(2, _cancellation);

        Assert.Equal(["source_view", "reader_view"], recorder.Outcomes.Select(o => o.View));
    }

    /// <summary>
    /// Starts a host with the views scheduled, and returns once its scheduler has set its first timer (on a fake clock);
    /// a failed start stops what had started.
    /// </summary>
    private async Task<RunningServices> StartAsync(TestSchema schema, TimeProvider time, TimeSpan every, Action<MaterializedViewRefreshOptions>? configure, params string[] views)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton(time);
        var builder = services.AddOrmPerf(o => o.ConnectionString = schema.Primary);
        foreach (var view in views)
        {
            builder.AddMaterializedView(view, every, configure ?? (_ => { }));
        }

        var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToArray();
        var running = new RunningServices(provider, hosted);
        try
        {
            foreach (var service in hosted)
            {
                await service.StartAsync(CancellationToken.None);
            }

            // The scheduler's loop starts on the thread pool: an advance before it sets its timer would be lost.
            if (time is TimerCountingTimeProvider counting)
            {
                await counting.WaitForTimersAsync(1, _cancellation);
            }

            return running;
        }
        catch
        {
            await running.DisposeAsync();
            throw;
        }
    }

    private sealed class RunningServices(ServiceProvider provider, IHostedService[] hosted) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var service in hosted)
            {
                await service.StopAsync(CancellationToken.None);
            }

            await provider.DisposeAsync();
        }
    }
}
