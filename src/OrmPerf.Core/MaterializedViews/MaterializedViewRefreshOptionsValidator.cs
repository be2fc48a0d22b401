using Microsoft.Extensions.Options;
using OrmPerf.Sql;

namespace OrmPerf.MaterializedViews;

/// <summary>
/// Validates the <see cref="MaterializedViewRefreshOptions"/> of one view (the options name is the view's name),
/// returning every failure at once, each naming the property, the bad value and what was expected.
/// </summary>
internal sealed class MaterializedViewRefreshOptionsValidator : IValidateOptions<MaterializedViewRefreshOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MaterializedViewRefreshOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prefix = $"{nameof(MaterializedViewRefreshOptions)} of materialized view '{name}':";
        var failures = new List<string>();
        if (options.ChangeDebounce <= TimeSpan.Zero)
        {
            failures.Add($"{prefix} {nameof(options.ChangeDebounce)} must be positive, got {options.ChangeDebounce}.");
        }

        if (options.PopulateOnStartTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{prefix} {nameof(options.PopulateOnStartTimeout)} must be positive, got {options.PopulateOnStartTimeout}.");
        }

        foreach (var table in options.SourceTables)
        {
            try
            {
                SqlIdentifier.Split(table, nameof(options.SourceTables));
            }
            catch (ArgumentException error)
            {
                failures.Add($"{prefix} {nameof(options.SourceTables)} must hold table names (schema.table or table), got '{table}': {error.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
