using Microsoft.Extensions.Logging;
using Npgsql;
using OrmPerf.Diagnostics;
using Polly;
using Polly.Retry;

namespace OrmPerf.Batching;

/// <summary>
/// Builds the Polly pipeline that retries a batch after transient errors: exponential backoff with jitter, bounded in
/// time by <see cref="BatchWriterOptions.RetryTimeout"/> (and in count by <see cref="BatchWriterOptions.MaxRetryAttempts"/>
/// when set). The budget runs from the first attempt, which <see cref="Started"/> carries in the execution's context.
/// </summary>
internal static class BatchRetryPipeline
{
    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> of a batch's first attempt; set by whoever executes the pipeline.</summary>
    public static readonly ResiliencePropertyKey<long> Started = new("ormperf.batch.started");

    public static ResiliencePipeline Create(
        BatchWriterOptions options, TimeProvider timeProvider, NpgsqlDataSource dataSource, string table, ILogger logger)
    {
        if (options.MaxRetryAttempts == 0)
        {
            return ResiliencePipeline.Empty;
        }

        var tag = BatchingMetrics.Tags(table);
        return new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                // No retry is scheduled once the budget is spent; one already scheduled still runs (its delay is at
                // most RetryMaxDelay), so a batch gives up at most RetryTimeout + RetryMaxDelay + one attempt after it began.
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } error && TransientErrors.IsTransient(error)
                    && (!args.Context.Properties.TryGetValue(Started, out var started) || timeProvider.GetElapsedTime(started) < options.RetryTimeout)),
                MaxRetryAttempts = options.MaxRetryAttempts ?? int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                OnRetry = args =>
                {
                    BatchingMetrics.Retries.Add(1, tag);
                    Log.BatchRetrying(logger, args.Outcome.Exception, table, args.RetryDelay, args.AttemptNumber + 1);
                    if (args.Outcome.Exception is { } error && TransientErrors.BreaksConnections(error))
                    {
                        // After a server restart every idle pooled connection is dead; drop them instead of failing on each.
                        dataSource.Clear();
                    }

                    return default;
                },
            })
            .Build();
    }
}
