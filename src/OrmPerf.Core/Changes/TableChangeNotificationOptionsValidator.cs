using Microsoft.Extensions.Options;
using Npgsql;
using OrmPerf.Sql;

namespace OrmPerf.Changes;

/// <summary>
/// Validates <see cref="TableChangeNotificationOptions"/>, returning every failure at once, each naming the property,
/// the bad value and what was expected.
/// </summary>
internal sealed class TableChangeNotificationOptionsValidator : IValidateOptions<TableChangeNotificationOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TableChangeNotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Name = nameof(TableChangeNotificationOptions);
        var failures = new List<string>();
        try
        {
            SqlIdentifier.Quote(options.Channel, nameof(options.Channel));
        }
        catch (ArgumentException error)
        {
            failures.Add($"{Name}.{nameof(options.Channel)} must be a plain SQL identifier, got '{options.Channel}': {error.Message}");
        }

        if (options.ConnectionString is { } direct)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(direct);
            }
            catch (ArgumentException error)
            {
                failures.Add($"{Name}.{nameof(options.ConnectionString)} of the change channel '{options.Channel}' must be a valid Npgsql connection string: {error.Message}");
            }
        }

        if (options.ReconnectDelay <= TimeSpan.Zero)
        {
            failures.Add($"{Name}.{nameof(options.ReconnectDelay)} must be positive, got {options.ReconnectDelay}.");
        }

        if (options.KeepAliveInterval <= TimeSpan.Zero)
        {
            failures.Add($"{Name}.{nameof(options.KeepAliveInterval)} must be positive, got {options.KeepAliveInterval}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
