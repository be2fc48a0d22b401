using Microsoft.Extensions.Logging;
using Npgsql;
using OrmPerf.Diagnostics;
using Polly;
using Polly.Retry;

namespace OrmPerf.Batching;

/// <summary>Builds the Polly pipeline that retries a batch after transient errors: exponential backoff with jitter, bounded.</summary>
internal static class BatchRetryPipeline
{
    public static ResiliencePipeline Create(
        BatchWriterOptions options, TimeProvider timeProvider, NpgsqlDataSource dataSource, string table, ILogger logger)
    {
        if (options.MaxRetryAttempts == 0)
        {
            return ResiliencePipeline.Empty;
        }

        var tag = new KeyValuePair<string, object?>(BatchingMetrics.TableTag, table);
        return new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(TransientErrors.IsTransient),
                MaxRetryAttempts = options.MaxRetryAttempts,
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
