namespace OrmPerf.Advisor;

/// <summary>What <see cref="IWorkloadAdvisor.AnalyzeAsync"/> looks at and the thresholds of its recommendations.</summary>
public sealed record WorkloadAdvisorOptions
{
    /// <summary>Only tables (and statements reading them) in these schemas; empty for every user schema.</summary>
    public IReadOnlyList<string> Schemas { get; init; } = [];

    /// <summary>How many read statements, by total execution time, are planned for index candidates. Default 20.</summary>
    public int TopStatements { get; init; } = 20;

    /// <summary>Statements called fewer times than this are not worth an index. Default 10.</summary>
    public long MinCallsForIndex { get; init; } = 10;

    /// <summary>Tables with fewer live rows than this get no index candidate: a scan of a few pages is as cheap as an index. Default 10,000.</summary>
    public long MinRowsForIndex { get; init; } = 10_000;

    /// <summary>A verified index is recommended when it cuts the plan's estimated cost by at least this fraction. Default 0.3.</summary>
    public double MinCostReduction { get; init; } = 0.3;

    /// <summary>Statements called fewer times than this are not cache candidates. Default 100.</summary>
    public long MinCallsForCache { get; init; } = 100;

    /// <summary>Statements returning more rows per call than this are not cache candidates. Default 100.</summary>
    public double MaxRowsPerCallForCache { get; init; } = 100;

    /// <summary>
    /// A cache candidate needs at least this expected hit ratio: one minus the write statements on its tables per call
    /// (every write invalidates the entries tagged with its table). Default 0.9.
    /// </summary>
    public double MinExpectedHitRatio { get; init; } = 0.9;

    /// <summary>Aggregate statements faster than this on average (milliseconds) are not view candidates. Default 5.</summary>
    public double MinMeanMillisecondsForView { get; init; } = 5;

    /// <summary>Aggregate statements called fewer times than this are not view candidates. Default 5.</summary>
    public long MinCallsForView { get; init; } = 5;

    /// <summary>A view candidate's tables take at most this many write statements per call of the aggregate. Default 0.1.</summary>
    public double MaxWritesPerCallForView { get; init; } = 0.1;

    /// <summary>How many application instances share the server, each with the data source's pool. Default 1.</summary>
    public int Instances { get; init; } = 1;

    /// <summary>
    /// Read OrmPerf's own counters in this process: the pools' acquire waits (from Npgsql's pool metrics) and the query
    /// cache's per-query hits, misses and invalidations. Default true; turn off when the advisor runs outside the
    /// application (the <c>ormperf</c> tool does), where they would describe the advisor's own process.
    /// </summary>
    public bool ReadLibraryCounters { get; init; } = true;

    /// <summary>A pool is too small when at least this many opens waited for a connection (and the queue was long enough). Default 10.</summary>
    public long MinAcquireWaitsForPoolTooSmall { get; init; } = 10;

    /// <summary>
    /// A pool is too small when at some moment this fraction of its <c>Max Pool Size</c> (at least one) waited for a
    /// connection: demand reached 1 + this fraction times the pool. Default 0.5.
    /// </summary>
    public double PendingRequestsRatioForPoolTooSmall { get; init; } = 0.5;

    /// <summary>Cached queries read fewer times than this are not reviewed. Default 100.</summary>
    public long MinReadsForCachedQueryReview { get; init; } = 100;

    /// <summary>
    /// A cached query does not pay when its hit ratio is below this and invalidations of its tags number at least half
    /// its misses (writes, not expiry or keys that never repeat, empty it). Default 0.5.
    /// </summary>
    public double MinCachedHitRatio { get; init; } = 0.5;

    /// <summary>Run <c>CREATE EXTENSION IF NOT EXISTS</c> for <c>pg_stat_statements</c> and <c>hypopg</c> when they are available but not created. Default true.</summary>
    public bool CreateExtensions { get; init; } = true;

    /// <summary>Try candidate indexes as HypoPG hypothetical indexes when the extension is there. Default true.</summary>
    public bool UseHypotheticalIndexes { get; init; } = true;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Schemas, nameof(Schemas));
        foreach (var schema in Schemas)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(schema, nameof(Schemas));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TopStatements, nameof(TopStatements));
        ArgumentOutOfRangeException.ThrowIfNegative(MinCallsForIndex, nameof(MinCallsForIndex));
        ArgumentOutOfRangeException.ThrowIfNegative(MinRowsForIndex, nameof(MinRowsForIndex));
        RequireFraction(MinCostReduction, nameof(MinCostReduction));
        ArgumentOutOfRangeException.ThrowIfNegative(MinCallsForCache, nameof(MinCallsForCache));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRowsPerCallForCache, nameof(MaxRowsPerCallForCache));
        RequireFraction(MinExpectedHitRatio, nameof(MinExpectedHitRatio));
        ArgumentOutOfRangeException.ThrowIfNegative(MinMeanMillisecondsForView, nameof(MinMeanMillisecondsForView));
        ArgumentOutOfRangeException.ThrowIfNegative(MinCallsForView, nameof(MinCallsForView));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxWritesPerCallForView, nameof(MaxWritesPerCallForView));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Instances, nameof(Instances));
        ArgumentOutOfRangeException.ThrowIfNegative(MinAcquireWaitsForPoolTooSmall, nameof(MinAcquireWaitsForPoolTooSmall));
        RequireFraction(PendingRequestsRatioForPoolTooSmall, nameof(PendingRequestsRatioForPoolTooSmall));
        ArgumentOutOfRangeException.ThrowIfNegative(MinReadsForCachedQueryReview, nameof(MinReadsForCachedQueryReview));
        RequireFraction(MinCachedHitRatio, nameof(MinCachedHitRatio));
    }

    private static void RequireFraction(double value, string name)
    {
        if (double.IsNaN(value) || value < 0 || value > 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a fraction between 0 and 1.");
        }
    }
}
