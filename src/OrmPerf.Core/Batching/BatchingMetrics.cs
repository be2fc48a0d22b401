using System.Diagnostics.Metrics;
using OrmPerf.Diagnostics;

namespace OrmPerf.Batching;

/// <summary>The batch writer's instruments, tagged with <c>db.table</c> (the map's table name: low cardinality).</summary>
internal static class BatchingMetrics
{
    public const string TableTag = "db.table";

    public static readonly Counter<long> RowsWritten =
        OrmPerfDiagnostics.Meter.CreateCounter<long>("ormperf.batch.rows_written", "{row}", "Rows committed by batch writers.");

    public static readonly Counter<long> Batches =
        OrmPerfDiagnostics.Meter.CreateCounter<long>("ormperf.batch.batches", "{batch}", "Transactions committed by batch writers.");

    public static readonly Histogram<int> BatchSize =
        OrmPerfDiagnostics.Meter.CreateHistogram<int>("ormperf.batch.size", "{row}", "Rows per committed transaction.");

    public static readonly Histogram<double> FlushDuration =
        OrmPerfDiagnostics.Meter.CreateHistogram<double>("ormperf.batch.flush.duration", "s", "Time to write a batch, retries and bad-row isolation included.");

    public static readonly Counter<long> Retries =
        OrmPerfDiagnostics.Meter.CreateCounter<long>("ormperf.batch.retries", "{retry}", "Batches written again after a transient error.");

    public static readonly Counter<long> RowsRejected =
        OrmPerfDiagnostics.Meter.CreateCounter<long>("ormperf.batch.rows_rejected", "{row}", "Bad rows isolated and handed to the dead-letter sink.");

    public static readonly UpDownCounter<long> QueueDepth =
        OrmPerfDiagnostics.Meter.CreateUpDownCounter<long>("ormperf.batch.queue.depth", "{row}", "Rows queued by WriteAsync and not yet taken into a batch.");
}
