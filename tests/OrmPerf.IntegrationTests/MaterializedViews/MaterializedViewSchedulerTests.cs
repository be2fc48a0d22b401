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
    public async Task Two_schedulers_on_one_database_refresh_a_view_once_per_tick()
    {
        await using var schema = await servers.CreateSchemaAsync();
        // Each refresh draws one number and takes 5 s, so the two instances' attempts overlap even on a loaded machine.
        await schema.ExecuteAsync("CREATE SEQUENCE refresh_count; CREATE TABLE delay (seconds double precision NOT NULL); INSERT INTO delay VALUES (0)");
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        await new PostgresMaterializedViews(dataSource, TimeProvider.System).EnsureCreatedAsync(
            "ticked", "SELECT nextval('refresh_count') AS n FROM pg_sleep((SELECT seconds FROM delay))", [], _cancellation);
        await schema.ExecuteAsync("UPDATE delay SET seconds = 5");
        using var recorder = new RefreshOutcomeRecorder(schema.Name);
        // A clock each, so that each scheduler's first timer is known to be set before the clocks move together.
        var firstTime = new TimerCountingTimeProvider();
        var secondTime = new TimerCountingTimeProvider();
        await using var first = await StartAsync(schema, firstTime, "ticked");
        await using var second = await StartAsync(schema, secondTime, "ticked");

        firstTime.Advance(Interval);
        secondTime.Advance(Interval);
        await recorder.WaitForAsync(2, _cancellation);

        Assert.Equal(["plain", "skipped"], recorder.Outcomes.Select(o => o.Outcome).Order());
        await using var connection = await dataSource.OpenConnectionAsync(_cancellation);
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT last_value FROM refresh_count"));
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
        await using var host = await StartAsync(schema, time, "fragile", "sturdy");

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
        await using var host = await StartAsync(schema, time, "reader_view", "source_view");

        time.Advance(Interval);
        await recorder.WaitForAsync(2, _cancellation);

        Assert.Equal(["source_view", "reader_view"], recorder.Outcomes.Select(o => o.View));
    }

    /// <summary>Starts a host with the views scheduled, and returns once its scheduler has set its first timer.</summary>
    private async Task<RunningServices> StartAsync(TestSchema schema, TimerCountingTimeProvider time, params string[] views)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(time);
        var builder = services.AddOrmPerf(o => o.ConnectionString = schema.Primary);
        foreach (var view in views)
        {
            builder.AddMaterializedView(view, Interval);
        }

        var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToArray();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        // The scheduler's loop starts on the thread pool: an advance before it sets its timer would be lost.
        await time.WaitForTimersAsync(1, _cancellation);
        return new RunningServices(provider, hosted);
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
