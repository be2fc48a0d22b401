using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Npgsql;
using OrmPerf.Connections;

namespace OrmPerf.Routing;

/// <summary>Checks <see cref="ReadReplicaOptions"/> at start-up and reports every bad value at once.</summary>
internal sealed partial class ReadReplicaOptionsValidator : IValidateOptions<ReadReplicaOptions>
{
    public ValidateOptionsResult Validate(string? name, ReadReplicaOptions options)
    {
        // A keyed primary's options carry its name, so a failure says which primary's replicas are wrong.
        var prefix = string.IsNullOrEmpty(name) ? nameof(ReadReplicaOptions) : $"{nameof(ReadReplicaOptions)}['{name}']";
        var failures = new List<string>();
        if (options.Replicas is null)
        {
            failures.Add($"{prefix}.{nameof(options.Replicas)} must not be null; leave it empty to read from the primary.");
        }
        else
        {
            ValidateReplicas(prefix, options.Replicas, failures);
        }

        if (options.MaxReplicaLag <= TimeSpan.Zero)
        {
            failures.Add(Invariant($"{prefix}.{nameof(options.MaxReplicaLag)} must be positive, but was {options.MaxReplicaLag}."));
        }

        if (options.MaxReplicaLagBytes is < 0)
        {
            failures.Add(Invariant($"{prefix}.{nameof(options.MaxReplicaLagBytes)} must be null or not negative, but was {options.MaxReplicaLagBytes}."));
        }

        CheckDefined(prefix, options.Balancing, nameof(options.Balancing), failures);
        CheckDefined(prefix, options.WhenNoReplicaQualifies, nameof(options.WhenNoReplicaQualifies), failures);
        CheckDefined(prefix, options.ReadYourWrites, nameof(options.ReadYourWrites), failures);
        if (options.ReadYourWrites == ReadYourWritesMode.TimeWindow && options.ReadYourWritesWindow <= TimeSpan.Zero)
        {
            failures.Add(Invariant($"{prefix}.{nameof(options.ReadYourWritesWindow)} must be positive with {nameof(ReadYourWritesMode)}.{nameof(ReadYourWritesMode.TimeWindow)}, but was {options.ReadYourWritesWindow}."));
        }

        if (options.ProbeInterval < MinimumProbeTime)
        {
            failures.Add(Invariant($"{prefix}.{nameof(options.ProbeInterval)} must be at least {MinimumProbeTime}, but was {options.ProbeInterval}."));
        }

        if (options.ProbeTimeout < MinimumProbeTime)
        {
            failures.Add(Invariant($"{prefix}.{nameof(options.ProbeTimeout)} must be at least {MinimumProbeTime}, but was {options.ProbeTimeout}."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Below this a probe loop would mostly measure itself.
    private static readonly TimeSpan MinimumProbeTime = TimeSpan.FromMilliseconds(10);

    private static void ValidateReplicas(string prefix, List<ReplicaEndpoint> replicas, List<string> failures)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < replicas.Count; i++)
        {
            var path = Invariant($"{prefix}.{nameof(ReadReplicaOptions.Replicas)}[{i}]");
            if (replicas[i] is not { } replica)
            {
                failures.Add($"{path} must not be null.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(replica.Name) || !NamePattern().IsMatch(replica.Name))
            {
                failures.Add($"{path}.{nameof(ReplicaEndpoint.Name)} must be letters, digits, '-', '_' or '.', but was '{replica.Name}'.");
            }
            else if (string.Equals(replica.Name, IOrmPerfDataSourceFactory.PrimaryName, StringComparison.OrdinalIgnoreCase) || !names.Add(replica.Name))
            {
                failures.Add($"{path}.{nameof(ReplicaEndpoint.Name)} '{replica.Name}' is already taken; every server needs its own name.");
            }

            if (string.IsNullOrWhiteSpace(replica.ConnectionString))
            {
                failures.Add($"{path}.{nameof(ReplicaEndpoint.ConnectionString)} must not be empty.");
                continue;
            }

            try
            {
                _ = new NpgsqlConnectionStringBuilder(replica.ConnectionString);
            }
            catch (ArgumentException e)
            {
                failures.Add($"{path}.{nameof(ReplicaEndpoint.ConnectionString)} is not a valid Npgsql connection string: {e.Message}");
            }
        }
    }

    private static void CheckDefined<TEnum>(string prefix, TEnum value, string setting, List<string> failures)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            failures.Add($"{prefix}.{setting} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}, but was {value}.");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex NamePattern();
}
