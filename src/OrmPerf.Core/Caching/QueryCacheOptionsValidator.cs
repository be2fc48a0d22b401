using Microsoft.Extensions.Options;

namespace OrmPerf.Caching;

/// <summary>
/// Rejects query-cache settings that cannot work, every failure at once, naming the property, the bad value and what
/// was expected. Runs for every named instance (each keyed cache's). Thread-safe (stateless).
/// </summary>
internal sealed class QueryCacheOptionsValidator : IValidateOptions<QueryCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, QueryCacheOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Name))
        {
            failures.Add($"QueryCacheOptions.Name is '{options.Name}'; expected a non-empty name.");
        }

        if (options.SizeLimit <= 0)
        {
            failures.Add($"QueryCacheOptions.SizeLimit is {options.SizeLimit}; expected a positive number.");
        }

        if (options.DefaultEntryOptions is null)
        {
            failures.Add("QueryCacheOptions.DefaultEntryOptions is null; expected entry options.");
        }
        else if (QueryCacheEntryOptionsRules.Failures(options.DefaultEntryOptions, "QueryCacheOptions.DefaultEntryOptions") is { } entryFailures)
        {
            failures.AddRange(entryFailures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
