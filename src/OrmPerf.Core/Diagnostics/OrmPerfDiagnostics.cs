using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrmPerf.Diagnostics;

/// <summary>
/// Names under which OrmPerf.Core publishes metrics and traces, for OpenTelemetry's <c>AddMeter</c> and
/// <c>AddSource</c>, and the names of its instruments, spans and tags, so dashboards and tests need not spell them.
/// Add-on packages publish under names that start with <see cref="MeterName"/> and a dot (e.g. <c>OrmPerf.Redis</c>),
/// so <c>AddMeter("OrmPerf*")</c> collects the whole family. Tags follow OpenTelemetry's database conventions where one
/// exists (<see cref="DbSystemNameTag"/>, <see cref="DbCollectionNameTag"/>, <see cref="ErrorTypeTag"/>); OrmPerf's
/// own tags start with <c>ormperf.</c>.
/// </summary>
public static class OrmPerfDiagnostics
{
    /// <summary>The name of OrmPerf.Core's <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = "OrmPerf";

    /// <summary>The name of OrmPerf.Core's <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string ActivitySourceName = "OrmPerf";

    // Caching

    /// <summary>Counter of reads served from the query cache (tag <see cref="CacheNameTag"/>).</summary>
    public const string CacheHits = "ormperf.cache.hits";

    /// <summary>Counter of reads that found no fresh entry in the query cache.</summary>
    public const string CacheMisses = "ormperf.cache.misses";

    /// <summary>Counter of query-cache factory runs (one per key however many callers wait).</summary>
    public const string CacheFactoryRuns = "ormperf.cache.factory_runs";

    /// <summary>Counter of expired results served because the factory failed within the fail-safe window.</summary>
    public const string CacheStaleServed = "ormperf.cache.stale_served";

    /// <summary>Counter of tags invalidated in the query cache.</summary>
    public const string CacheInvalidations = "ormperf.cache.invalidations";

    /// <summary>Histogram of query-cache factory run durations, in seconds.</summary>
    public const string CacheFactoryDuration = "ormperf.cache.factory.duration";

    /// <summary>The span of a query-cache fill: the second-level read, then the factory when needed (tag <see cref="CacheKeyTag"/>).</summary>
    public const string CacheFillSpan = "ormperf.cache.fill";

    /// <summary>The tag naming the query cache (<c>QueryCacheOptions.Name</c>) on its instruments.</summary>
    public const string CacheNameTag = "ormperf.cache.name";

    /// <summary>The tag carrying the query key's id on a <see cref="CacheFillSpan"/>.</summary>
    public const string CacheKeyTag = "ormperf.cache.key";

    private static readonly string? Version = typeof(OrmPerfDiagnostics).Assembly.GetName().Version?.ToString();

    internal static Meter Meter { get; } = new(MeterName, Version);

    internal static ActivitySource ActivitySource { get; } = new(ActivitySourceName, Version);

    // Tags shared by the features

    /// <summary>OpenTelemetry's tag for the database system; OrmPerf.Core's value is <see cref="DbSystemNamePostgreSql"/>.</summary>
    public const string DbSystemNameTag = "db.system.name";

    /// <summary>The value of <see cref="DbSystemNameTag"/> for PostgreSQL.</summary>
    public const string DbSystemNamePostgreSql = "postgresql";

    /// <summary>OpenTelemetry's tag for the table or view an operation works on (as people read it: <c>schema.name</c> or <c>name</c>).</summary>
    public const string DbCollectionNameTag = "db.collection.name";

    /// <summary>OpenTelemetry's tag for the full type name of the exception that failed an operation.</summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary>How an operation ended, where that has several values (a view refresh's <c>plain</c>, <c>concurrently</c>, <c>skipped</c>, <c>failed</c>).</summary>
    public const string OutcomeTag = "ormperf.outcome";

    // Batching

    /// <summary>Counter: rows committed by batch writers. Tags: <see cref="DbSystemNameTag"/>, <see cref="DbCollectionNameTag"/>.</summary>
    public const string BatchRowsWritten = "ormperf.batch.rows_written";

    /// <summary>Counter: transactions committed by batch writers. Tags as <see cref="BatchRowsWritten"/>.</summary>
    public const string BatchBatches = "ormperf.batch.batches";

    /// <summary>Histogram: rows per committed transaction. Tags as <see cref="BatchRowsWritten"/>.</summary>
    public const string BatchSize = "ormperf.batch.size";

    /// <summary>Histogram (seconds): time to write a batch, retries and bad-row isolation included. Tags as <see cref="BatchRowsWritten"/>.</summary>
    public const string BatchFlushDuration = "ormperf.batch.flush.duration";

    /// <summary>Counter: batches written again after a transient error. Tags as <see cref="BatchRowsWritten"/>.</summary>
    public const string BatchRetries = "ormperf.batch.retries";

    /// <summary>Counter: bad rows isolated and handed to the rejected-row sink. Tags as <see cref="BatchRowsWritten"/>.</summary>
    public const string BatchRowsRejected = "ormperf.batch.rows_rejected";

    /// <summary>Up-down counter: rows queued by <c>WriteAsync</c> and not yet taken into a batch. Tags as <see cref="BatchRowsWritten"/>.</summary>
    public const string BatchQueueDepth = "ormperf.batch.queue.depth";

    /// <summary>
    /// Span: one batch written (its COPY or INSERT, commit, retries and bad-row isolation). Tags:
    /// <see cref="DbSystemNameTag"/>, <see cref="DbCollectionNameTag"/>, <see cref="BatchRowsTag"/>,
    /// <see cref="BatchRowsRejectedTag"/>; <see cref="ErrorTypeTag"/> when it failed.
    /// </summary>
    public const string BatchFlushSpan = "ormperf.batch.flush";

    /// <summary>Tag of <see cref="BatchFlushSpan"/>: the rows in the batch.</summary>
    public const string BatchRowsTag = "ormperf.batch.rows";

    /// <summary>Tag of <see cref="BatchFlushSpan"/>: the rows of the batch PostgreSQL refused.</summary>
    public const string BatchRowsRejectedTag = "ormperf.batch.rows_rejected";

    // Materialized views

    /// <summary>
    /// Counter: materialized-view refresh attempts. Tags: <see cref="DbSystemNameTag"/>, <see cref="DbCollectionNameTag"/>
    /// (the view), <see cref="OutcomeTag"/> (<c>plain</c>, <c>concurrently</c>, <c>skipped</c>, <c>failed</c>).
    /// </summary>
    public const string ViewRefreshes = "ormperf.view.refreshes";

    /// <summary>Histogram (seconds): duration of the materialized-view refreshes that ran. Tags as <see cref="ViewRefreshes"/>.</summary>
    public const string ViewRefreshDuration = "ormperf.view.refresh.duration";

    /// <summary>
    /// Span: one materialized-view refresh. Tags: <see cref="DbSystemNameTag"/>, <see cref="DbCollectionNameTag"/> (the
    /// view), <see cref="OutcomeTag"/>; <see cref="ErrorTypeTag"/> when it failed.
    /// </summary>
    public const string ViewRefreshSpan = "ormperf.view.refresh";
}
