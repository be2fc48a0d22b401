using Microsoft.Extensions.Options;

namespace OrmPerf.Caching;

/// <summary>
/// Rejects distributed-store settings that cannot work, every failure at once, naming the property, the bad value and
/// what was expected. Thread-safe (stateless).
/// </summary>
internal sealed class DistributedQueryCacheStoreOptionsValidator : IValidateOptions<DistributedQueryCacheStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DistributedQueryCacheStoreOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrEmpty(options.KeyPrefix))
        {
            failures.Add($"DistributedQueryCacheStoreOptions.KeyPrefix is '{options.KeyPrefix}'; expected a non-empty prefix such as 'myapp:'.");
        }

        if (options.TagRetention <= TimeSpan.Zero)
        {
            failures.Add($"DistributedQueryCacheStoreOptions.TagRetention is {options.TagRetention}; expected a positive duration.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
