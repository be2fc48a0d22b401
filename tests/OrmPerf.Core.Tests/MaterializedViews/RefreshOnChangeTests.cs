using Microsoft.Extensions.Logging.Abstractions;
using OrmPerf.MaterializedViews;
using OrmPerf.Testing;

namespace OrmPerf.Core.Tests.MaterializedViews;

/// <summary>The scheduler's debounced refresh on reported writes, driven by a fake clock.</summary>
public sealed class RefreshOnChangeTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromHours(1);
    private static readonly TimeSpan Debounce = TimeSpan.FromSeconds(5);
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;
    private readonly TimerCountingTimeProvider _time = new();

    [Fact]
    public async Task Many_reports_in_the_window_cause_one_refresh_a_debounce_after_the_first()
    {
        var views = new RecordingMaterializedViews(_time, "sales.orders", "sales.products");
        await using var running = await StartAsync(views);
        var firstReport = _time.GetUtcNow();

        for (var i = 0; i < 10; i++)
        {
            await ReportAsync(running, i % 2 == 0 ? ["sales.orders"] : ["orders", "audit.log"]);
            _time.Advance(TimeSpan.FromMilliseconds(400));
        }

        Assert.Empty(views.Refreshes);
        await AdvanceToAsync(firstReport + Debounce);
        await AdvanceWithoutWakingAsync(TimeSpan.FromSeconds(30));

        var refresh = Assert.Single(views.Refreshes);
        Assert.Equal("sales_summary", refresh.View);
        Assert.Equal(firstReport + Debounce, refresh.At);
    }

    [Fact]
    public async Task A_report_after_the_refresh_starts_a_new_window_and_other_tables_are_ignored()
    {
        var views = new RecordingMaterializedViews(_time, "sales.orders");
        await using var running = await StartAsync(views);

        await ReportAsync(running, ["sales.orders"]);
        await AdvanceToAsync(_time.GetUtcNow() + Debounce);
        Assert.Single(views.Refreshes);
        await running.Listener.OnTablesChangedAsync(["archive.orders", "sales.customers"], _cancellation);
        await AdvanceWithoutWakingAsync(TimeSpan.FromSeconds(10));
        Assert.Single(views.Refreshes);

        await ReportAsync(running, ["sales.orders"]);
        await AdvanceToAsync(_time.GetUtcNow() + Debounce);

        Assert.Equal(2, views.Refreshes.Count);
        Assert.True(_time.GetUtcNow() - running.StartedAt < Tick);
    }

    [Fact]
    public async Task A_write_already_served_by_another_instance_does_not_refresh_again()
    {
        var views = new RecordingMaterializedViews(_time, "sales.orders");
        await using var running = await StartAsync(views);

        await ReportAsync(running, ["sales.orders"]);
        // Another instance heard the same NOTIFY, won the lock and refreshed after the write.
        views.RefreshedElsewhereAt = _time.GetUtcNow() + TimeSpan.FromSeconds(1);
        await AdvanceToAsync(_time.GetUtcNow() + Debounce);
        await AdvanceWithoutWakingAsync(TimeSpan.FromSeconds(15));

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

        await ReportAsync(running, ["sales.orders"]);
        await AdvanceToAsync(reportedAt + Debounce);
        Assert.Empty(views.Refreshes);
        await AdvanceToAsync(reportedAt + Debounce * 2);

        var refresh = Assert.Single(views.Refreshes);
        Assert.Equal(reportedAt + Debounce * 2, refresh.At);
    }

    [Fact]
    public async Task The_regular_tick_still_refreshes_a_view_that_refreshes_on_change()
    {
        var views = new RecordingMaterializedViews(_time, "sales.orders");
        await using var running = await StartAsync(views);

        await AdvanceToAsync(running.StartedAt + Tick);

        var refresh = Assert.Single(views.Refreshes, r => r.View == "sales_summary");
        Assert.Equal(running.StartedAt + Tick, refresh.At);
    }

    /// <summary>Reports writes to tables a view reads, then waits until the woken scheduler has set its next timer.</summary>
    private async Task ReportAsync(RunningScheduler running, IReadOnlyList<string> tables)
    {
        var timersSet = _time.TimersSet;
        await running.Listener.OnTablesChangedAsync(tables, _cancellation);
        await _time.WaitForTimersAsync(timersSet + 1, _cancellation);
    }

    /// <summary>
    /// Moves the clock to the moment the scheduler's timer is due, then waits until the scheduler has done what was due
    /// and set its next timer; the clock stands still meanwhile, so a refresh is recorded at exactly that moment.
    /// </summary>
    private async Task AdvanceToAsync(DateTimeOffset due)
    {
        var timersSet = _time.TimersSet;
        _time.Advance(due - _time.GetUtcNow());
        await _time.WaitForTimersAsync(timersSet + 1, _cancellation);
    }

    /// <summary>
    /// Moves the clock by less than the time to the scheduler's next timer, and gives a scheduler that would (wrongly)
    /// refresh anyway a moment to show it.
    /// </summary>
    private async Task AdvanceWithoutWakingAsync(TimeSpan by)
    {
        _time.Advance(by);
        await Task.Delay(100, _cancellation);
    }

    private async Task<RunningScheduler> StartAsync(RecordingMaterializedViews views)
    {
        var startedAt = _time.GetUtcNow();
        var timersSet = _time.TimersSet;
        var scheduler = new MaterializedViewRefreshScheduler(
            views,
            [new MaterializedViewSchedule("sales_summary", Tick, Debounce, []), new MaterializedViewSchedule("unrelated", Tick, null, [])],
            _time,
            NullLogger<MaterializedViewRefreshScheduler>.Instance);
        var listener = new MaterializedViewChangeListener(scheduler, views, NullLogger<MaterializedViewChangeListener>.Instance);
        await scheduler.StartAsync(_cancellation);
        // The loop starts on the thread pool: until it has set its first timer, an advance could be lost.
        await _time.WaitForTimersAsync(timersSet + 1, _cancellation);
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
