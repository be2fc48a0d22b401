using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using OrmPerf.Diagnostics;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>The writer reports rows, batches, batch sizes, flush durations, rejected rows and its queue depth.</summary>
public sealed class BatchMetricsTests(TestServers servers)
{
    [Fact]
    public async Task Rows_batches_sizes_durations_rejections_and_queue_depth_are_measured()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        using var metrics = new BatchMetricsRecorder($"{schema.Name}.order_event");
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions { MaxBatchSize = 250, ImportBatchSize = 250 });
        var token = TestContext.Current.CancellationToken;
        var flushes = new ConcurrentQueue<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == OrmPerfDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == OrmPerfDiagnostics.BatchFlushSpan && (string?)activity.GetTagItem(OrmPerfDiagnostics.DbCollectionNameTag) == $"{schema.Name}.order_event")
                {
                    flushes.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(activities);

        await writer.WriteManyAsync(
            Enumerable.Range(1, 1_000).Select(i => i == 10 ? OrderEvent.Good(i) with { Quantity = -1 } : OrderEvent.Good(i)), cancellationToken: token);
        await Task.WhenAll(Enumerable.Range(1_001, 20).Select(i => writer.WriteAsync(OrderEvent.Good(i), token)));

        Assert.Equal(1_019, metrics.Sum("ormperf.batch.rows_written"));
        Assert.Equal(1, metrics.Sum("ormperf.batch.rows_rejected"));
        Assert.Equal(metrics.Sum("ormperf.batch.batches"), metrics.Count("ormperf.batch.size"));
        Assert.Equal(1_019, metrics.Sum("ormperf.batch.size"));
        Assert.True(metrics.Sum("ormperf.batch.batches") > 4, "the bad row's batch was split into several transactions");
        Assert.True(metrics.Count("ormperf.batch.flush.duration") >= 5);
        Assert.Equal(20, metrics.Measurements["ormperf.batch.queue.depth"].Where(v => v > 0).Sum());
        Assert.Equal(0, metrics.Sum("ormperf.batch.queue.depth"));
        Assert.Equal(1_020, flushes.Sum(a => (int)a.GetTagItem("ormperf.batch.rows")!));
        Assert.Equal(1, flushes.Sum(a => (int)a.GetTagItem("ormperf.batch.rows_rejected")!));
    }
}
