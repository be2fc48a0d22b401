using NpgsqlTypes;
using OrmPerf.Routing.Probing;

namespace OrmPerf.Routing.Tests.Probing;

public sealed class PrimaryPositionHistoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_replica_at_the_latest_position_is_not_behind_however_old_that_position_is()
    {
        var history = new PrimaryPositionHistory(TimeSpan.FromMinutes(1));
        history.Record(Start, Lsn(100));

        var lag = history.BehindFor(Lsn(100), Start.AddHours(1), out var known);

        Assert.Equal(TimeSpan.Zero, lag);
        Assert.True(known);
    }

    [Fact]
    public void The_first_write_after_a_quiet_hour_does_not_count_the_hour_as_lag()
    {
        var history = new PrimaryPositionHistory(TimeSpan.FromMinutes(1));
        history.Record(Start, Lsn(100));
        history.Record(Start.AddHours(1), Lsn(200));

        var lag = history.BehindFor(Lsn(100), Start.AddHours(1).AddSeconds(1), out var known);

        Assert.Equal(TimeSpan.FromSeconds(1), lag);
        Assert.True(known);
    }

    [Fact]
    public void Lag_is_measured_from_when_the_primary_first_passed_the_replay_position()
    {
        var history = new PrimaryPositionHistory(TimeSpan.FromMinutes(1));
        history.Record(Start, Lsn(100));
        history.Record(Start.AddSeconds(1), Lsn(150));
        history.Record(Start.AddSeconds(2), Lsn(150));
        history.Record(Start.AddSeconds(3), Lsn(300));

        Assert.Equal(TimeSpan.FromSeconds(4), history.BehindFor(Lsn(120), Start.AddSeconds(5), out _));
        Assert.Equal(TimeSpan.FromSeconds(2), history.BehindFor(Lsn(150), Start.AddSeconds(5), out _));
    }

    [Fact]
    public void Past_the_retention_the_lag_is_a_lower_bound_and_says_so()
    {
        var history = new PrimaryPositionHistory(TimeSpan.FromSeconds(10));
        history.Record(Start, Lsn(100));
        history.Record(Start.AddSeconds(5), Lsn(200));
        history.Record(Start.AddSeconds(30), Lsn(300));

        var lag = history.BehindFor(Lsn(100), Start.AddSeconds(31), out var known);

        Assert.Equal(TimeSpan.FromSeconds(26), lag);
        Assert.False(known);
    }

    private static NpgsqlLogSequenceNumber Lsn(ulong value) => new(value);
}
