using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OrmPerf.MaterializedViews;

namespace OrmPerf.Core.Tests.MaterializedViews;

/// <summary>The scheduler's debounced refresh on reported writes, driven by a fake clock.</summary>
public sealed class RefreshOnChangeTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromHours(1);
    private static readonly TimeSpan Debounce = TimeSpan.FromSeconds(5);
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Many_reports_in_the_window_cause_one_refresh_a_debounce_after_the_first()
    {
        var views = new RecordingMaterializedViews(_time, "sales.orders", "sales.products");
        await using var running = await StartAsync(views);
        var firstReport = _time.GetUtcNow();

        for (var i = 0; i < 10; i++)
        {
            await running.Listener.OnTablesChangedAsync(i % 2 == 0 ? ["sales.orders"] : ["orders", "audit.log"], _cancellation);
            _time.Advance(TimeSpan.FromMilliseconds(400));
            await Task.Delay(10, _cancellation);
        }

        Assert.Empty(views.Refreshes);
        await AdvanceUntilAsync(() => views.Refreshes.Count > 0, TimeSpan.FromSeconds(3));
        await AdvanceUntilAsync(() => false, TimeSpan.FromSeconds(30));

        var refresh = Assert.Single(views.Refreshes);
        Assert.Equal("sales_summary", refresh.View);
        Assert.InRange(refresh.At - firstReport, Debounce, Debounce + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_report_after_the_refresh_starts_a_new_window_and_other_tables_are_ignored()
    {
        var views = new RecordingMaterializedViews(_time, "sales.orders");
        await using var running = await StartAsync(views);

        await running.Listener.OnTablesChangedAsync(["sales.orders"], _cancellation);
        await AdvanceUntilAsync(() => views.Refreshes.Count == 1, TimeSpan.FromSeconds(10));
        await running.Listener.OnTablesChangedAsync(["archive.orders", "sales.customers"], _cancellation);
        await AdvanceUntilAsync(() => false, TimeSpan.FromSeconds(10));
        Assert.Single(views.Refreshes);

        await running.Listener.OnTablesChangedAsync(["sales.orders"], _cancellation);
        await AdvanceUntilAsync(() => views.Refreshes.Count == 2, TimeSpan.FromSeconds(10));

        Assert.Equal(2, views.Refreshes.Count);
        Assert.True(_time.GetUtcNow() - running.StartedAt < Tick);
    }

    [Fact]
    public async Task A_write_already_served_by_another_instance_does_not_refresh_again()
    {
        var views = new RecordingMaterializedViews(_time, "sales.orders");
        await using var running = await StartAsync(views);

        await running.Listener.OnTablesChangedAsync(["sales.orders"], _cancellation);
        // Another instance heard the same NOTIFY, won the lock and refreshed after the write.
        views.RefreshedElsewhereAt = _time.GetUtcNow() + TimeSpan.FromSeconds(1);
        await AdvanceUntilAsync(() => false, TimeSpan.FromSeconds(20));

        Assert.Empty(views.Refreshes);
    }

    [Fact]
    public async Task A_change_refresh_skipped_for_another_instance_that_started_before_the_write_is_tried_again()
    {
        var views = new RecordingMaterializedViews(_time, "sales.orders");
        await using var running = await StartAsync(views);
        // The other instance's refresh started before the write, so it may not have seen it.
        views.RefreshedElsewhereAt = _time.GetUtcNow() - TimeSpan.FromSeconds(1);
        views.SkipNext = true;
        var reportedAt = _time.GetUtcNow();

        await running.Listener.OnTablesChangedAsync(["sales.orders"], _cancellation);
        await AdvanceUntilAsync(() => views.Refreshes.Count > 0, TimeSpan.FromSeconds(20));

        var refresh = Assert.Single(views.Refreshes);
        Assert.InRange(refresh.At - reportedAt, Debounce * 2, Debounce * 2 + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task The_regular_tick_still_refreshes_a_view_that_refreshes_on_change()
    {
        var views = new RecordingMaterializedViews(_time, "sales.orders");
        await using var running = await StartAsync(views);

        _time.Advance(Tick - TimeSpan.FromSeconds(2));
        await AdvanceUntilAsync(() => views.Refreshes.Count > 0, TimeSpan.FromSeconds(5));

        var refresh = Assert.Single(views.Refreshes, r => r.View == "sales_summary");
        Assert.InRange(refresh.At - running.StartedAt, Tick, Tick + TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// Advances the fake clock in small steps, giving the scheduler's loop real time to run between them, until the
    /// condition holds or <paramref name="limit"/> has passed on the fake clock.
    /// </summary>
    private async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var step = TimeSpan.FromMilliseconds(250);
        var wall = Stopwatch.StartNew();
        for (var advanced = TimeSpan.Zero; advanced < limit && !condition(); advanced += step)
        {
            _time.Advance(step);
            await Task.Delay(10, _cancellation);
            Assert.True(wall.Elapsed < TimeSpan.FromSeconds(60), "The scheduler did not keep up with the fake clock.");
        }

        // Let a refresh that the last step made due finish before the caller looks.
        await Task.Delay(50, _cancellation);
    }

    private async Task<RunningScheduler> StartAsync(RecordingMaterializedViews views)
    {
        var startedAt = _time.GetUtcNow();
        var scheduler = new MaterializedViewRefreshScheduler(
            views,
            [new MaterializedViewSchedule("sales_summary", Tick, Debounce, []), new MaterializedViewSchedule("unrelated", Tick, null, [])],
            _time,
            NullLogger<MaterializedViewRefreshScheduler>.Instance);
        var listener = new MaterializedViewChangeListener(scheduler, views, NullLogger<MaterializedViewChangeListener>.Instance);
        await scheduler.StartAsync(_cancellation);
        return new RunningScheduler(scheduler, listener, startedAt);
    }

    private sealed record RunningScheduler(MaterializedViewRefreshScheduler Scheduler, MaterializedViewChangeListener Listener, DateTimeOffset StartedAt) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Scheduler.StopAsync(CancellationToken.None);
            Scheduler.Dispose();
            Listener.Dispose();
        }
    }
}
