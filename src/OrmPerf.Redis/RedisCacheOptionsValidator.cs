using Microsoft.Extensions.Options;

namespace OrmPerf.Redis;

/// <summary>
/// Rejects Redis cache settings that cannot work, every failure at once, naming the property, the bad value and what was
/// expected. Runs for every named instance (each keyed cache's). Thread-safe (stateless).
/// </summary>
internal sealed class RedisCacheOptionsValidator : IValidateOptions<RedisCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisCacheOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Configuration) && options.ConnectionMultiplexerFactory is null)
        {
            failures.Add($"RedisCacheOptions.Configuration is '{options.Configuration}'; expected a StackExchange.Redis configuration string such as '127.0.0.1:6379' (or a ConnectionMultiplexerFactory).");
        }

        if (string.IsNullOrEmpty(options.KeyPrefix))
        {
            failures.Add($"RedisCacheOptions.KeyPrefix is '{options.KeyPrefix}'; expected a non-empty prefix such as 'myapp:'.");
        }

        if (options.MaxPayloadBytes <= 0)
        {
            failures.Add($"RedisCacheOptions.MaxPayloadBytes is {options.MaxPayloadBytes}; expected a positive number of bytes.");
        }

        if (options.OperationTimeout <= TimeSpan.Zero || options.OperationTimeout > TimeSpan.FromDays(1))
        {
            failures.Add($"RedisCacheOptions.OperationTimeout is {options.OperationTimeout}; expected a positive duration of at most a day.");
        }

        if (options.TagRetention <= TimeSpan.Zero)
        {
            failures.Add($"RedisCacheOptions.TagRetention is {options.TagRetention}; expected a positive duration.");
        }

        if (options.BreakDuration < TimeSpan.FromMilliseconds(500) || options.BreakDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"RedisCacheOptions.BreakDuration is {options.BreakDuration}; expected between 500 ms and a day (Polly's range).");
        }

        if (options.DisconnectedL1Duration <= TimeSpan.Zero || options.DisconnectedL1Duration > TimeSpan.FromDays(1))
        {
            failures.Add($"RedisCacheOptions.DisconnectedL1Duration is {options.DisconnectedL1Duration}; expected a positive duration of at most a day.");
        }

        if (options.LeaseDuration is { } lease && (lease < TimeSpan.FromMilliseconds(1) || lease > TimeSpan.FromMinutes(10)))
        {
            failures.Add($"RedisCacheOptions.LeaseDuration is {lease}; expected null (no leases) or between 1 ms and 10 minutes.");
        }

        if (options.FailureSamplingDuration < TimeSpan.FromMilliseconds(500) || options.FailureSamplingDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"RedisCacheOptions.FailureSamplingDuration is {options.FailureSamplingDuration}; expected between 500 ms and a day (Polly's range).");
        }

        if (options.MinimumThroughput < 2)
        {
            failures.Add($"RedisCacheOptions.MinimumThroughput is {options.MinimumThroughput}; expected at least 2 (Polly's minimum).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
