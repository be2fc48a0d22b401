using System.Collections.Concurrent;
using OrmPerf.MaterializedViews;

namespace OrmPerf.Core.Tests.MaterializedViews;

/// <summary>
/// An <see cref="IMaterializedViews"/> without a database: records each refresh with the fake time it ran at, and
/// answers the status and source-table questions the scheduler and the change listener ask.
/// </summary>
internal sealed class RecordingMaterializedViews(TimeProvider time, params string[] sourceTables) : IMaterializedViews
{
    private readonly ConcurrentQueue<(string View, DateTimeOffset At)> _refreshes = new();

    public IReadOnlyList<(string View, DateTimeOffset At)> Refreshes => _refreshes.ToArray();

    /// <summary>When set, the start of a refresh made by "another instance", reported by <see cref="GetStatusAsync"/>.</summary>
    public DateTimeOffset? RefreshedElsewhereAt { get; set; }

    /// <summary>When set, the next refresh finds the advisory lock taken by "another instance" and skips.</summary>
    public bool SkipNext { get; set; }

    public Task<MaterializedViewRefreshResult> TryRefreshAsync(string name, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (SkipNext)
        {
            SkipNext = false;
            return Task.FromResult(new MaterializedViewRefreshResult("public." + name, MaterializedViewRefreshOutcome.Skipped, now, TimeSpan.Zero, 0));
        }

        _refreshes.Enqueue((name, now));
        return Task.FromResult(new MaterializedViewRefreshResult("public." + name, MaterializedViewRefreshOutcome.Concurrently, now, TimeSpan.Zero, 1));
    }

    public Task<MaterializedViewRefreshResult> TryRefreshTickAsync(string name, DateTimeOffset tick, CancellationToken cancellationToken = default) =>
        TryRefreshAsync(name, cancellationToken);

    public Task<MaterializedViewStatus> GetStatusAsync(string name, CancellationToken cancellationToken = default)
    {
        var last = _refreshes.Where(r => r.View == name).Select(r => (DateTimeOffset?)r.At).LastOrDefault();
        var started = RefreshedElsewhereAt > last || last is null ? RefreshedElsewhereAt : last;
        return Task.FromResult(new MaterializedViewStatus("public." + name, true, true, started, started, TimeSpan.Zero, 1, null, null, null));
    }

    public Task<IReadOnlyList<string>> GetSourceTablesAsync(string name, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>(sourceTables);

    public Task<IReadOnlyList<string>> OrderBySourcesFirstAsync(IReadOnlyList<string> names, CancellationToken cancellationToken = default) =>
        Task.FromResult(names);

    public Task EnsureCreatedAsync(string name, string selectSql, IReadOnlyList<string> uniqueKeyColumns, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<MaterializedViewRefreshResult> RefreshAsync(string name, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();
}
