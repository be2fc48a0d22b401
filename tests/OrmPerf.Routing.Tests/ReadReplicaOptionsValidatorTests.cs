
namespace OrmPerf.Routing.Tests;

public sealed class ReadReplicaOptionsValidatorTests
{
    [Fact]
    public void Defaults_without_replicas_are_valid() =>
        Assert.True(new ReadReplicaOptionsValidator().Validate(null, new ReadReplicaOptions()).Succeeded);

    [Fact]
    public void Every_bad_value_is_reported_with_its_setting()
    {
        var options = new ReadReplicaOptions
        {
            Replicas =
            [
                new() { Name = "a", ConnectionString = "Host=127.0.0.1" },
                new() { Name = "A", ConnectionString = "Nonsense Key=1" },
            ],
            MaxReplicaLagBytes = -1,
            Balancing = (ReplicaBalancing)7,
            ReadYourWrites = ReadYourWritesMode.TimeWindow,
            ReadYourWritesWindow = TimeSpan.Zero,
            ProbeInterval = TimeSpan.FromMilliseconds(1),
            ProbeTimeout = TimeSpan.Zero,
        };

        var failures = new ReadReplicaOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Contains("ReadReplicaOptions.Replicas[1].Name 'A' is already taken; every server needs its own name.", failures);
        Assert.Contains(failures, f => f.StartsWith("ReadReplicaOptions.Replicas[1].ConnectionString is not a valid Npgsql connection string", StringComparison.Ordinal));
        Assert.Contains("ReadReplicaOptions.MaxReplicaLagBytes must be null or not negative, but was -1.", failures);
        Assert.Contains("ReadReplicaOptions.Balancing must be one of RoundRobin, LeastInFlight, but was 7.", failures);
        Assert.Contains("ReadReplicaOptions.ReadYourWritesWindow must be positive with ReadYourWritesMode.TimeWindow, but was 00:00:00.", failures);
        Assert.Contains("ReadReplicaOptions.ProbeInterval must be at least 00:00:00.0100000, but was 00:00:00.0010000.", failures);
        Assert.Contains("ReadReplicaOptions.ProbeTimeout must be at least 00:00:00.0100000, but was 00:00:00.", failures);
        Assert.Equal(7, failures.Count);
    }
}
