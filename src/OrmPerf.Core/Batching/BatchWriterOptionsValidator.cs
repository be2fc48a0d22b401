using Microsoft.Extensions.Options;

namespace OrmPerf.Batching;

/// <summary>
/// Validates <see cref="BatchWriterOptions"/>, returning every failure at once, each naming the property, the bad value
/// and what was expected; for a registered writer also the mode against its map (an upsert cannot be keyed on a
/// generated key, which a new row does not have yet).
/// </summary>
internal sealed class BatchWriterOptionsValidator(IEnumerable<BatchWriterTable> tables) : IValidateOptions<BatchWriterOptions>
{
    private static readonly TimeSpan MaxDelayLimit = TimeSpan.FromHours(1);
    private static readonly TimeSpan RetryTimeoutLimit = TimeSpan.FromDays(1);
    private static readonly TimeSpan ShutdownTimeoutLimit = TimeSpan.FromHours(1);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BatchWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var table = tables.FirstOrDefault(t => t.OptionsName == (name ?? Options.DefaultName));
        var failures = Failures(options, table);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>What is wrong with <paramref name="options"/>, for a writer of <paramref name="table"/> when given.</summary>
    internal static List<string> Failures(BatchWriterOptions options, BatchWriterTable? table)
    {
        const string Name = nameof(BatchWriterOptions);
        var failures = new List<string>();
        if (options.MaxBatchSize < 1)
        {
            failures.Add($"{Name}.{nameof(options.MaxBatchSize)} must be at least 1, got {options.MaxBatchSize}.");
        }

        if (options.ImportBatchSize < 1)
        {
            failures.Add($"{Name}.{nameof(options.ImportBatchSize)} must be at least 1, got {options.ImportBatchSize}.");
        }

        // Capped: rows held for longer are a mistake, and a timer cannot wait beyond about 49 days at all.
        if (options.MaxDelay < TimeSpan.Zero || options.MaxDelay > MaxDelayLimit)
        {
            failures.Add($"{Name}.{nameof(options.MaxDelay)} must be zero (off) or positive and at most {MaxDelayLimit}, got {options.MaxDelay}.");
        }

        if (options.ImportParallelism < 1)
        {
            failures.Add($"{Name}.{nameof(options.ImportParallelism)} must be at least 1, got {options.ImportParallelism}.");
        }
        else if (options.ImportParallelism > 1 && options.Mode != WriteMode.Insert)
        {
            failures.Add($"{Name}.{nameof(options.ImportParallelism)} above 1 needs {nameof(options.Mode)} Insert (an upsert's batches must commit in order), got {options.ImportParallelism} with {options.Mode}.");
        }

        if (options.QueueCapacity < 1)
        {
            failures.Add($"{Name}.{nameof(options.QueueCapacity)} must be at least 1, got {options.QueueCapacity}.");
        }

        if (options.MaxConcurrentBatches < 1)
        {
            failures.Add($"{Name}.{nameof(options.MaxConcurrentBatches)} must be at least 1 (or null for the mode's default), got {options.MaxConcurrentBatches}.");
        }

        if (!Enum.IsDefined(options.Mode))
        {
            failures.Add($"{Name}.{nameof(options.Mode)} must be Insert, Upsert or InsertOrIgnore, got {options.Mode}.");
        }

        if (options.SmallBatchInsertLimit < 0)
        {
            failures.Add($"{Name}.{nameof(options.SmallBatchInsertLimit)} must not be negative, got {options.SmallBatchInsertLimit}.");
        }

        if (options.MaxRetryAttempts < 0)
        {
            failures.Add($"{Name}.{nameof(options.MaxRetryAttempts)} must not be negative, got {options.MaxRetryAttempts}.");
        }

        if (options.RetryTimeout <= TimeSpan.Zero || options.RetryTimeout > RetryTimeoutLimit)
        {
            failures.Add($"{Name}.{nameof(options.RetryTimeout)} must be positive and at most {RetryTimeoutLimit}, got {options.RetryTimeout}.");
        }

        if (options.RetryBaseDelay <= TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add($"{Name}.{nameof(options.RetryBaseDelay)} must be positive and at most {nameof(options.RetryMaxDelay)}, got {options.RetryBaseDelay} and {options.RetryMaxDelay}.");
        }

        // Capped like MaxDelay: a timer cannot wait beyond about 49 days, and an hour-long shutdown is a mistake.
        if (options.ShutdownTimeout <= TimeSpan.Zero || options.ShutdownTimeout > ShutdownTimeoutLimit)
        {
            failures.Add($"{Name}.{nameof(options.ShutdownTimeout)} must be positive and at most {ShutdownTimeoutLimit}, got {options.ShutdownTimeout}.");
        }

        if (table is { GeneratedKeyColumn: { } generated } && options.Mode != WriteMode.Insert && table.KeyColumns.Contains(generated))
        {
            failures.Add($"{Name}.{nameof(options.Mode)} is {options.Mode}, but the map of {table.Table} keys its upserts on its generated key '{generated}', which a new row does not have yet: key the upsert on a natural key (a unique column such as an email) and the writer reports each row's generated key.");
        }

        return failures;
    }
}
