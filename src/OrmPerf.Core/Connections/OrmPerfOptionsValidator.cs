using Microsoft.Extensions.Options;
using Npgsql;

namespace OrmPerf.Connections;

/// <summary>Checks <see cref="OrmPerfOptions"/> at start-up and reports every bad value at once.</summary>
internal sealed class OrmPerfOptionsValidator : IValidateOptions<OrmPerfOptions>
{
    public ValidateOptionsResult Validate(string? name, OrmPerfOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"{nameof(OrmPerfOptions)}.{nameof(OrmPerfOptions.ConnectionString)} must not be empty.");
        }
        else if (ConnectionStringError(options.ConnectionString) is { } error)
        {
            failures.Add($"{nameof(OrmPerfOptions)}.{nameof(OrmPerfOptions.ConnectionString)} is not a valid Npgsql connection string: {error}");
        }
        else if (MultiHostError(new NpgsqlConnectionStringBuilder(options.ConnectionString)) is { } multiHost)
        {
            failures.Add(multiHost);
        }

        if (options.Pool is null)
        {
            failures.Add($"{nameof(OrmPerfOptions)}.{nameof(OrmPerfOptions.Pool)} must not be null; use PoolProfile.Development, PoolProfile.Production or a custom profile.");
        }
        else
        {
            failures.AddRange(options.Pool.Validate($"{nameof(OrmPerfOptions)}.{nameof(OrmPerfOptions.Pool)}"));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // The primary's data source carries writes: over several hosts, Npgsql must be told to pick the writable one, or it
    // takes the first that answers, which may be a standby (every write then fails as read-only).
    private static string? MultiHostError(NpgsqlConnectionStringBuilder settings)
    {
        if (ServerEndpoints.Count(settings) < 2)
        {
            return null;
        }

        var target = settings.TargetSessionAttributes;
        return target is "read-write" or "primary"
            ? null
            : $"{nameof(OrmPerfOptions)}.{nameof(OrmPerfOptions.ConnectionString)} lists several hosts ({ServerEndpoints.Describe(settings)}) with Target Session Attributes '{target ?? "any"}'; the primary's data source carries writes, so set Target Session Attributes=read-write (or primary).";
    }

    private static string? ConnectionStringError(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
