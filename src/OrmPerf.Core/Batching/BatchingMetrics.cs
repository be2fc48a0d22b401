using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrmPerf.Diagnostics;

namespace OrmPerf.Batching;

/// <summary>
/// The batch writer's instruments, tagged with <see cref="Tags"/>: the database system and the map's table (low
/// cardinality: one value per registered writer).
/// </summary>
internal static class BatchingMetrics
{
    public static readonly Counter<long> RowsWritten =
        OrmPerfDiagnostics.Meter.CreateCounter<long>(OrmPerfDiagnostics.BatchRowsWritten, "{row}", "Rows committed by batch writers.");

    public static readonly Counter<long> Batches =
        OrmPerfDiagnostics.Meter.CreateCounter<long>(OrmPerfDiagnostics.BatchBatches, "{batch}", "Transactions committed by batch writers.");

    public static readonly Histogram<int> BatchSize =
        OrmPerfDiagnostics.Meter.CreateHistogram<int>(OrmPerfDiagnostics.BatchSize, "{row}", "Rows per committed transaction.");

    public static readonly Histogram<double> FlushDuration =
        OrmPerfDiagnostics.Meter.CreateHistogram<double>(OrmPerfDiagnostics.BatchFlushDuration, "s", "Time to write a batch, retries and bad-row isolation included.");

    public static readonly Counter<long> Retries =
        OrmPerfDiagnostics.Meter.CreateCounter<long>(OrmPerfDiagnostics.BatchRetries, "{retry}", "Batches written again after a transient error.");

    public static readonly Counter<long> RowsRejected =
        OrmPerfDiagnostics.Meter.CreateCounter<long>(OrmPerfDiagnostics.BatchRowsRejected, "{row}", "Bad rows isolated and handed to the dead-letter sink.");

    public static readonly UpDownCounter<long> QueueDepth =
        OrmPerfDiagnostics.Meter.CreateUpDownCounter<long>(OrmPerfDiagnostics.BatchQueueDepth, "{row}", "Rows queued by WriteAsync and not yet taken into a batch.");

    /// <summary>The tags of every measurement and span of the writer of <paramref name="table"/> (its display name).</summary>
    public static TagList Tags(string table) => new()
    {
        { OrmPerfDiagnostics.DbSystemNameTag, OrmPerfDiagnostics.DbSystemNamePostgreSql },
        { OrmPerfDiagnostics.DbCollectionNameTag, table },
    };
}
