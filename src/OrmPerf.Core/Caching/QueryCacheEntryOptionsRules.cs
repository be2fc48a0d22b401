namespace OrmPerf.Caching;

/// <summary>
/// What valid entry options are, in one place: checked by the options validator for
/// <see cref="QueryCacheOptions.DefaultEntryOptions"/> and by every call that passes its own. Thread-safe (stateless).
/// </summary>
internal static class QueryCacheEntryOptionsRules
{
    /// <summary>Every rule <paramref name="options"/> breaks, each naming <paramref name="path"/>'s property, its value and what was expected; <see langword="null"/> when none.</summary>
    /// <remarks>Allocates nothing for valid options: it runs on every miss.</remarks>
    public static List<string>? Failures(QueryCacheEntryOptions options, string path)
    {
        List<string>? failures = null;
        if (options.Duration <= TimeSpan.Zero)
        {
            (failures ??= []).Add($"{path}.Duration is {options.Duration}; expected a positive duration.");
        }

        if (options.Jitter < TimeSpan.Zero)
        {
            (failures ??= []).Add($"{path}.Jitter is {options.Jitter}; expected zero or a positive duration.");
        }

        if (options.FailSafeWindow < TimeSpan.Zero)
        {
            (failures ??= []).Add($"{path}.FailSafeWindow is {options.FailSafeWindow}; expected zero or a positive duration.");
        }

        if (options.FailSafeThrottle < TimeSpan.Zero)
        {
            (failures ??= []).Add($"{path}.FailSafeThrottle is {options.FailSafeThrottle}; expected zero or a positive duration.");
        }

        if (options.Size <= 0)
        {
            (failures ??= []).Add($"{path}.Size is {options.Size}; expected a positive number.");
        }

        if (options.Tags is null)
        {
            (failures ??= []).Add($"{path}.Tags is null; expected a list of tags, empty for none.");
        }

        return failures;
    }

    /// <summary>Throws when the options a caller passed break a rule.</summary>
    /// <param name="options">The caller's entry options.</param>
    /// <param name="paramName">The caller's parameter.</param>
    /// <exception cref="ArgumentException">A value is out of range; the message names each.</exception>
    public static void ThrowIfInvalid(QueryCacheEntryOptions options, string paramName)
    {
        if (Failures(options, nameof(QueryCacheEntryOptions)) is { } failures)
        {
            throw new ArgumentException(string.Join(" ", failures), paramName);
        }
    }
}
