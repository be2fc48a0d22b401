using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrmPerf.Diagnostics;

namespace OrmPerf.MaterializedViews;

/// <summary>
/// Refreshes the registered views on clock-aligned ticks (multiples of each view's interval since the Unix epoch), driven
/// by the injected <see cref="TimeProvider"/>, and, for views with a change debounce, within that window after a write to
/// a source table is reported (<see cref="ReportChange"/>). Views due at the same moment are refreshed sources first.
/// A tick is refreshed through <see cref="IMaterializedViews.TryRefreshTickAsync"/>, which claims it in the database, so
/// when several instances run, whatever their start offsets, one refreshes each tick and the others skip. Before the
/// host has started, each view is checked and, if unpopulated, refreshed (<see cref="MaterializedViewRefreshOptions.ValidateOnStart"/>).
/// A failed refresh is logged, counted and retried at the next tick; it never stops the host. <see cref="ReportChange"/> is thread-safe.
/// </summary>
internal sealed class MaterializedViewRefreshScheduler : BackgroundService
{
    private readonly IMaterializedViews _views;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _wake = new(0, 1);

    // Guarded by _gate. DueAt: the next tick. ChangeDueAt: the debounced refresh for reported writes, if any.
    // ChangedSince: the first report that no refresh has served yet.
    private readonly DateTimeOffset[] _dueAt;
    private readonly DateTimeOffset?[] _changeDueAt;
    private readonly DateTimeOffset?[] _changedSince;

    public MaterializedViewRefreshScheduler(IMaterializedViews views, IEnumerable<MaterializedViewSchedule> schedules, TimeProvider time, ILogger<MaterializedViewRefreshScheduler> logger)
    {
        _views = views;
        Schedules = schedules.ToArray();
        _time = time;
        _logger = logger;
        var now = time.GetUtcNow();
        _dueAt = Schedules.Select(schedule => NextTick(now, schedule.RefreshEvery)).ToArray();
        _changeDueAt = new DateTimeOffset?[Schedules.Count];
        _changedSince = new DateTimeOffset?[Schedules.Count];
    }

    /// <summary>The registered views, in registration order; <see cref="ReportChange"/> takes an index into this list.</summary>
    public IReadOnlyList<MaterializedViewSchedule> Schedules { get; }

    /// <summary>
    /// Records a committed write to a source of the view at <paramref name="index"/>: its refresh is brought forward to
    /// the view's debounce after the first unserved report, so later reports in that window share the refresh.
    /// </summary>
    /// <exception cref="InvalidOperationException">The view was registered without a change debounce.</exception>
    public void ReportChange(int index)
    {
        var debounce = Schedules[index].ChangeDebounce
            ?? throw new InvalidOperationException($"Materialized view '{Schedules[index].Name}' was registered without RefreshOnChange.");
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            _changedSince[index] ??= now;
            _changeDueAt[index] ??= now + debounce;
        }

        Log.MaterializedViewChangeReported(_logger, Schedules[index].Name, debounce);
        Wake();
    }

    /// <summary>
    /// Checks every view registered with <see cref="MaterializedViewRefreshOptions.ValidateOnStart"/> and populates
    /// those created <c>WITH NO DATA</c>, then starts the refresh loop.
    /// </summary>
    /// <exception cref="InvalidOperationException">A view does not exist, is not a materialized view, or could not be checked.</exception>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var schedule in Schedules.Where(s => s.ValidateOnStart).DistinctBy(s => s.Name))
        {
            await PrepareAsync(schedule, cancellationToken).ConfigureAwait(false);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        base.Dispose();
        _wake.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Schedules.Count == 0)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var (due, wakeAt) = TakeDue();
                if (due.Count == 0)
                {
                    await WaitAsync(wakeAt - _time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
                    continue;
                }

                foreach (var name in await OrderAsync(due.Select(d => d.Name).ToList(), stoppingToken).ConfigureAwait(false))
                {
                    // A view registered twice is due twice; each entry is refreshed once.
                    var next = due.First(d => d.Name == name);
                    due.Remove(next);
                    await RefreshOnceAsync(next, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    /// <summary>The start of the tick <paramref name="now"/> is in: a multiple of <paramref name="every"/> since the Unix epoch.</summary>
    internal static DateTimeOffset TickStart(DateTimeOffset now, TimeSpan every)
    {
        var sinceEpoch = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return DateTimeOffset.UnixEpoch.AddTicks(sinceEpoch - (sinceEpoch % every.Ticks));
    }

    private static DateTimeOffset NextTick(DateTimeOffset now, TimeSpan every) => TickStart(now, every) + every;

    private async Task PrepareAsync(MaterializedViewSchedule schedule, CancellationToken cancellationToken)
    {
        MaterializedViewStatus status;
        try
        {
            status = await _views.GetStatusAsync(schedule.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"Materialized view '{schedule.Name}' (registered with AddMaterializedView) could not be checked at start-up: {error.Message} " +
                $"If migrations create it after the host starts, set {nameof(MaterializedViewRefreshOptions)}.{nameof(MaterializedViewRefreshOptions.ValidateOnStart)} = false for it.",
                error);
        }

        if (status.IsPopulated)
        {
            return;
        }

        var timeout = schedule.PopulateOnStartTimeout ?? TimeSpan.FromSeconds(30);
        Log.MaterializedViewPopulatingOnStart(_logger, status.View);
        using var bounded = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bounded.Token);
        try
        {
            await _views.RefreshAsync(schedule.Name, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Log.MaterializedViewPopulateOnStartTimedOut(_logger, status.View, timeout);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // Already counted as "failed" by the refresh; readers fail as they would have, and the tick retries.
            Log.MaterializedViewPopulateOnStartFailed(_logger, error, status.View);
        }
    }

    private (List<DueRefresh> Due, DateTimeOffset WakeAt) TakeDue()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var due = new List<DueRefresh>();
            var wakeAt = DateTimeOffset.MaxValue;
            for (var i = 0; i < Schedules.Count; i++)
            {
                var tick = _dueAt[i] <= now;
                var changed = _changeDueAt[i] <= now;
                if (tick || changed)
                {
                    var every = Schedules[i].RefreshEvery;
                    due.Add(tick
                        ? new DueRefresh(i, Schedules[i].Name, null, TickStart(now, every))
                        : new DueRefresh(i, Schedules[i].Name, _changedSince[i], null));
                    // The refresh starts after every write reported so far was committed, so it serves them all.
                    _changeDueAt[i] = null;
                    _changedSince[i] = null;
                }

                if (tick)
                {
                    // The tick now is in; after a long pause the missed ones are not caught up.
                    _dueAt[i] = NextTick(now, Schedules[i].RefreshEvery);
                }

                wakeAt = Min(wakeAt, Min(_dueAt[i], _changeDueAt[i] ?? DateTimeOffset.MaxValue));
            }

            return (due, wakeAt);
        }
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var reported = _wake.WaitAsync(stopWaiting.Token);
        var elapsed = delay > TimeSpan.Zero ? Task.Delay(delay, _time, stopWaiting.Token) : Task.CompletedTask;
        await Task.WhenAny(reported, elapsed).ConfigureAwait(false);
        await stopWaiting.CancelAsync().ConfigureAwait(false);
        stoppingToken.ThrowIfCancellationRequested();
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Another report woke the loop between the check and the release: one wake-up is enough.
        }
        catch (ObjectDisposedException)
        {
            // Reported while the host shuts down: nothing left to wake.
        }
    }

    private async Task<IReadOnlyList<string>> OrderAsync(List<string> due, CancellationToken stoppingToken)
    {
        try
        {
            return await _views.OrderBySourcesFirstAsync(due, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            Log.MaterializedViewOrderingFailed(_logger, error);
            return due;
        }
    }

    private async Task RefreshOnceAsync(DueRefresh due, CancellationToken stoppingToken)
    {
        try
        {
            if (due.ChangedSince is { } since)
            {
                // Every instance hears a NOTIFY; the one that won the lock may already have refreshed after the write.
                var status = await _views.GetStatusAsync(due.Name, stoppingToken).ConfigureAwait(false);
                if (status.LastRefreshStartedAt >= since)
                {
                    Log.MaterializedViewChangeAlreadyServed(_logger, due.Name);
                    return;
                }
            }

            if (due.Tick is { } tick)
            {
                await _views.TryRefreshTickAsync(due.Name, tick, stoppingToken).ConfigureAwait(false);
                return;
            }

            var result = await _views.TryRefreshAsync(due.Name, stoppingToken).ConfigureAwait(false);
            if (result.Outcome == MaterializedViewRefreshOutcome.Skipped && due.ChangedSince is { } unserved)
            {
                // The other instance's refresh may have started before the write: look again after the debounce.
                Rearm(due.Index, unserved);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // Already counted as "failed" by the refresh; the loop goes on to the next view and tick.
            Log.MaterializedViewRefreshFailed(_logger, error, due.Name);
        }
    }

    private void Rearm(int index, DateTimeOffset changedSince)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            _changedSince[index] = Min(_changedSince[index] ?? changedSince, changedSince);
            _changeDueAt[index] ??= now + Schedules[index].ChangeDebounce!.Value;
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;

    /// <param name="Index">The view's index in <see cref="Schedules"/>.</param>
    /// <param name="Name">The view's registered name.</param>
    /// <param name="ChangedSince">For a refresh brought forward by reported writes only: the first of those reports.</param>
    /// <param name="Tick">For a scheduled refresh: the start of its clock-aligned tick, which the instances claim.</param>
    private sealed record DueRefresh(int Index, string Name, DateTimeOffset? ChangedSince, DateTimeOffset? Tick);
}
