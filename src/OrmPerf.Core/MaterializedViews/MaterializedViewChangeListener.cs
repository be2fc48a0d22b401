using Microsoft.Extensions.Logging;
using OrmPerf.Changes;
using OrmPerf.Diagnostics;

namespace OrmPerf.MaterializedViews;

/// <summary>
/// Turns reported writes into debounced refreshes: maps each written table to the scheduled views (with
/// <see cref="MaterializedViewRefreshOptions.RefreshOnChange"/>) that read it and reports the change to the scheduler.
/// Source tables are the declared ones or, when none were declared, those found in <c>pg_depend</c> on the first report,
/// then kept. Thread-safe.
/// </summary>
internal sealed class MaterializedViewChangeListener : ITableChangeListener, IDisposable
{
    private readonly MaterializedViewRefreshScheduler _scheduler;
    private readonly IMaterializedViews _views;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _resolving = new(1, 1);
    private volatile IReadOnlyList<ViewSources>? _sources;

    public MaterializedViewChangeListener(MaterializedViewRefreshScheduler scheduler, IMaterializedViews views, ILogger<MaterializedViewChangeListener> logger)
    {
        _scheduler = scheduler;
        _views = views;
        _logger = logger;
    }

    /// <inheritdoc />
    public async ValueTask OnTablesChangedAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var sources = _sources ?? await ResolveAsync(cancellationToken).ConfigureAwait(false);
        foreach (var view in sources)
        {
            if (tables.Any(table => view.Tables.Any(source => SourceTableName.Matches(source, table))))
            {
                _scheduler.ReportChange(view.Index);
            }
        }
    }

    /// <summary>Reports a change to every view that refreshes on change, for when reports may have been missed.</summary>
    public void ReportAll()
    {
        for (var i = 0; i < _scheduler.Schedules.Count; i++)
        {
            if (_scheduler.Schedules[i].ChangeDebounce is not null)
            {
                _scheduler.ReportChange(i);
            }
        }
    }

    public void Dispose() => _resolving.Dispose();

    private async Task<IReadOnlyList<ViewSources>> ResolveAsync(CancellationToken cancellationToken)
    {
        await _resolving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_sources is { } ready)
            {
                return ready;
            }

            var sources = new List<ViewSources>();
            var complete = true;
            for (var i = 0; i < _scheduler.Schedules.Count; i++)
            {
                var schedule = _scheduler.Schedules[i];
                if (schedule.ChangeDebounce is null)
                {
                    continue;
                }

                if (schedule.SourceTables.Count > 0)
                {
                    sources.Add(new ViewSources(i, schedule.SourceTables));
                    continue;
                }

                try
                {
                    sources.Add(new ViewSources(i, await _views.GetSourceTablesAsync(schedule.Name, cancellationToken).ConfigureAwait(false)));
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // The view may not exist yet, or the database is down: this report misses it, the next one retries.
                    Log.MaterializedViewSourcesNotResolved(_logger, error, schedule.Name);
                    complete = false;
                }
            }

            if (complete)
            {
                _sources = sources;
            }

            return sources;
        }
        finally
        {
            _resolving.Release();
        }
    }

    private sealed record ViewSources(int Index, IReadOnlyList<string> Tables);
}
