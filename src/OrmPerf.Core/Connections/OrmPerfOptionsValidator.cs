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
