using Npgsql;
using OrmPerf.Connections;

namespace OrmPerf.Core.Tests.Connections;

public sealed class PoolProfileTests
{
    [Fact]
    public void Production_maps_onto_npgsql_pool_settings()
    {
        var settings = new NpgsqlConnectionStringBuilder("Host=127.0.0.1;Maximum Pool Size=7");

        PoolProfile.Production.ApplyTo(settings);

        Assert.True(settings.Pooling);
        Assert.Equal(2, settings.MinPoolSize);
        Assert.Equal(23, settings.MaxPoolSize);
        Assert.Equal(5, settings.Timeout);
        Assert.Equal(300, settings.ConnectionLifetime);
        Assert.Equal(60, settings.ConnectionIdleLifetime);
        Assert.Equal(10, settings.ConnectionPruningInterval);
    }

    [Fact]
    public void Development_turns_pooling_off()
    {
        var settings = new NpgsqlConnectionStringBuilder("Host=127.0.0.1;Pooling=true");

        PoolProfile.Development.ApplyTo(settings);

        Assert.False(settings.Pooling);
        Assert.Empty(PoolProfile.Development.Validate("Pool"));
    }

    [Fact]
    public void Sub_second_acquire_timeout_rounds_up_to_whole_seconds_and_unlimited_lifetime_maps_to_zero()
    {
        var settings = new NpgsqlConnectionStringBuilder("Host=127.0.0.1;Connection Lifetime=30");

        (PoolProfile.Production with { AcquireTimeout = TimeSpan.FromMilliseconds(1200), ConnectionLifetime = null }).ApplyTo(settings);

        Assert.Equal(2, settings.Timeout);
        Assert.Equal(0, settings.ConnectionLifetime);
    }

    [Fact]
    public void Built_in_profiles_are_valid()
    {
        Assert.Empty(PoolProfile.Production.Validate("Pool"));
        Assert.Empty(new PoolProfile().Validate("Pool"));
    }

    public static TheoryData<PoolProfile, string> BadProfiles => new()
    {
        { PoolProfile.Production with { MaxPoolSize = -1 }, "Pool.MaxPoolSize must be at least 1, but was -1." },
        { PoolProfile.Production with { MaxPoolSize = 0 }, "Pool.MaxPoolSize must be at least 1, but was 0." },
        { PoolProfile.Production with { MinPoolSize = -3 }, "Pool.MinPoolSize must not be negative, but was -3." },
        { PoolProfile.Production with { MinPoolSize = 10, MaxPoolSize = 5 }, "Pool.MinPoolSize (10) must not exceed Pool.MaxPoolSize (5)." },
        { PoolProfile.Production with { AcquireTimeout = TimeSpan.Zero }, "Pool.AcquireTimeout must be between 00:00:01 and 00:17:04, but was 00:00:00." },
        { PoolProfile.Production with { AcquireTimeout = TimeSpan.FromHours(1) }, "Pool.AcquireTimeout must be between 00:00:01 and 00:17:04, but was 01:00:00." },
        { PoolProfile.Production with { ConnectionLifetime = TimeSpan.FromSeconds(-5) }, "Pool.ConnectionLifetime must be positive or null (unlimited), but was -00:00:05." },
        { PoolProfile.Production with { IdleLifetime = TimeSpan.Zero, PruningInterval = TimeSpan.Zero }, "Pool.IdleLifetime must be at least 00:00:01, but was 00:00:00." },
        { PoolProfile.Production with { PruningInterval = TimeSpan.FromMinutes(2) }, "Pool.PruningInterval must be between 00:00:01 and Pool.IdleLifetime (00:01:00), but was 00:02:00." },
    };

    [Theory]
    [MemberData(nameof(BadProfiles))]
    public void A_bad_value_is_reported_with_the_setting_and_the_value(PoolProfile profile, string expected)
    {
        Assert.Contains(expected, profile.Validate("Pool"));
    }

    [Fact]
    public void Describes_itself_for_logs()
    {
        Assert.Equal("Development (pooling off)", PoolProfile.Development.ToString());
        Assert.Equal(
            "Production (pool 2..23, acquire timeout 5 s, lifetime 300 s, idle 60 s, pruning every 10 s)",
            PoolProfile.Production.ToString());
    }
}
