using Microsoft.Extensions.Options;

namespace OrmPerf.Caching;

/// <summary>Rejects query-cache settings that cannot work, naming the bad value. Thread-safe (stateless).</summary>
internal sealed class QueryCacheOptionsValidator : IValidateOptions<QueryCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, QueryCacheOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Name))
        {
            return ValidateOptionsResult.Fail($"QueryCacheOptions.Name is '{options.Name}'; expected a non-empty name.");
        }

        if (options.SizeLimit <= 0)
        {
            return ValidateOptionsResult.Fail($"QueryCacheOptions.SizeLimit is {options.SizeLimit}; expected a positive number.");
        }

        if (options.DefaultEntryOptions is null)
        {
            return ValidateOptionsResult.Fail("QueryCacheOptions.DefaultEntryOptions is null; expected entry options.");
        }

        try
        {
            options.DefaultEntryOptions.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            return ValidateOptionsResult.Fail($"QueryCacheOptions.DefaultEntryOptions.{e.ParamName} is {e.ActualValue}: {e.Message}");
        }

        return ValidateOptionsResult.Success;
    }
}
