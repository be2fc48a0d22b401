using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrmPerf.Diagnostics;

namespace OrmPerf.MaterializedViews;

/// <summary>
/// Refreshes the registered views on their intervals, driven by the injected <see cref="TimeProvider"/>. Views due at
/// the same tick are refreshed sources first. Each refresh is a <see cref="IMaterializedViews.TryRefreshAsync"/>, so
/// when several instances run, one refreshes and the others skip. A failure is logged, counted and retried at the next
/// tick; it never stops the host.
/// </summary>
internal sealed class MaterializedViewRefreshScheduler : BackgroundService
{
    private readonly IMaterializedViews _views;
    private readonly MaterializedViewSchedule[] _schedules;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DateTimeOffset[] _dueAt;

    public MaterializedViewRefreshScheduler(IMaterializedViews views, IEnumerable<MaterializedViewSchedule> schedules, TimeProvider time, ILogger<MaterializedViewRefreshScheduler> logger)
    {
        _views = views;
        _schedules = schedules.ToArray();
        _time = time;
        _logger = logger;
        // Counted from construction, not from the first run of ExecuteAsync, which the host may start later.
        var now = time.GetUtcNow();
        _dueAt = _schedules.Select(schedule => now + schedule.RefreshEvery).ToArray();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_schedules.Length == 0)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = _time.GetUtcNow();
                var wake = _dueAt.Min();
                if (wake > now)
                {
                    await Task.Delay(wake - now, _time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                var due = new List<string>();
                for (var i = 0; i < _schedules.Length; i++)
                {
                    if (_dueAt[i] <= now)
                    {
                        due.Add(_schedules[i].Name);
                        // After a long pause, resume the rhythm from now instead of refreshing repeatedly to catch up.
                        _dueAt[i] = _dueAt[i] + _schedules[i].RefreshEvery > now ? _dueAt[i] + _schedules[i].RefreshEvery : now + _schedules[i].RefreshEvery;
                    }
                }

                foreach (var name in await OrderAsync(due, stoppingToken).ConfigureAwait(false))
                {
                    await RefreshOnceAsync(name, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
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

    private async Task RefreshOnceAsync(string name, CancellationToken stoppingToken)
    {
        try
        {
            await _views.TryRefreshAsync(name, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // Already counted as "failed" by the refresh; the loop goes on to the next view and tick.
            Log.MaterializedViewRefreshFailed(_logger, error, name);
        }
    }
}
