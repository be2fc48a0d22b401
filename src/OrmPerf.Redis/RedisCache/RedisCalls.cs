using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using StackExchange.Redis;

namespace OrmPerf.Redis;

/// <summary>
/// Runs every Redis call of the second level and the backplane with a short timeout inside a Polly circuit breaker,
/// and fails open: a failed, slow or refused call is logged, counted and answered as "did not happen", never thrown.
/// </summary>
/// <remarks>Thread-safe; one per service provider, shared by the store and the backplane so they open and close together.</remarks>
internal sealed class RedisCalls
{
    private readonly ResiliencePipeline _pipeline;
    private readonly ILogger _logger;

    public RedisCalls(IConnectionMultiplexer multiplexer, IOptions<RedisCacheOptions> options, TimeProvider timeProvider, ILogger<RedisCalls>? logger = null)
    {
        Multiplexer = multiplexer;
        PrefixTag = new KeyValuePair<string, object?>(RedisCacheDiagnostics.KeyPrefixTag, options.Value.KeyPrefix);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        var settings = options.Value;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = settings.MinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = settings.BreakDuration,
                OnOpened = args =>
                {
                    RedisLog.CircuitOpened(_logger, args.BreakDuration, args.Outcome.Exception);
                    RedisCacheDiagnostics.CircuitCounter.Add(1, PrefixTag, new KeyValuePair<string, object?>("ormperf.redis.circuit.state", "open"));
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    RedisCacheDiagnostics.CircuitCounter.Add(1, PrefixTag, new KeyValuePair<string, object?>("ormperf.redis.circuit.state", "half_open"));
                    return default;
                },
                OnClosed = _ =>
                {
                    RedisLog.CircuitClosed(_logger);
                    RedisCacheDiagnostics.CircuitCounter.Add(1, PrefixTag, new KeyValuePair<string, object?>("ormperf.redis.circuit.state", "closed"));
                    return default;
                },
            })
            .AddTimeout(settings.OperationTimeout)
            .Build();
    }

    /// <summary>The process's connection to Redis.</summary>
    public IConnectionMultiplexer Multiplexer { get; }

    /// <summary>The <see cref="RedisCacheDiagnostics.KeyPrefixTag"/> every measurement carries.</summary>
    public KeyValuePair<string, object?> PrefixTag { get; }

    /// <summary>Runs <paramref name="call"/>; returns whether it succeeded, and its result.</summary>
    /// <param name="operation">Names the call in logs and metrics.</param>
    /// <param name="call">The Redis call; it must stop waiting when its token is cancelled (by the timeout).</param>
    /// <param name="cancellationToken">The caller's token; its cancellation is the only exception thrown.</param>
    public ValueTask<(bool Succeeded, T Result)> TryAsync<T>(string operation, Func<IDatabase, CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        TryAsync(operation, call, static (database, call, token) => call(database, token), cancellationToken);

    /// <summary>
    /// Runs <paramref name="call"/> with <paramref name="state"/>; returns whether it succeeded, and its result. For the
    /// read path: a static <paramref name="call"/> given its arguments as state allocates no closure per read.
    /// </summary>
    /// <param name="operation">Names the call in logs and metrics.</param>
    /// <param name="state">What <paramref name="call"/> needs (keys, values).</param>
    /// <param name="call">The Redis call; it must stop waiting when its token is cancelled (by the timeout).</param>
    /// <param name="cancellationToken">The caller's token; its cancellation is the only exception thrown.</param>
    public async ValueTask<(bool Succeeded, T Result)> TryAsync<TState, T>(string operation, TState state, Func<IDatabase, TState, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            // Not an async lambda: the call's task is awaited once, here, not in one more state machine.
            var result = await _pipeline.ExecuteAsync(
                static (context, token) => new ValueTask<T>(context.call(context.database, context.state, token)),
                (call, state, database: Multiplexer.GetDatabase()),
                cancellationToken).ConfigureAwait(false);
            return (true, result);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            RedisLog.CallFailed(_logger, operation, e);
            RedisCacheDiagnostics.ErrorCounter.Add(1, PrefixTag, new KeyValuePair<string, object?>("ormperf.redis.operation", operation));
            return (false, default!);
        }
    }
}
