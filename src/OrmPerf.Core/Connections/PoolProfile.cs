using System.Globalization;

namespace OrmPerf.Connections;

/// <summary>
/// How the connections of one PostgreSQL server are pooled. A profile is mapped onto Npgsql's own pool
/// settings (<c>Pooling</c>, <c>Minimum Pool Size</c>, <c>Maximum Pool Size</c>, <c>Timeout</c>,
/// <c>Connection Lifetime</c>, <c>Connection Idle Lifetime</c>, <c>Connection Pruning Interval</c>);
/// OrmPerf does not implement a pool of its own.
/// </summary>
/// <remarks>
/// Start from <see cref="Development"/> or <see cref="Production"/> and adjust with a <c>with</c> expression,
/// e.g. <c>PoolProfile.Production with { MaxPoolSize = 50 }</c>. The values of the profile take precedence over
/// pool settings written in the connection string. Instances are immutable and thread-safe.
/// </remarks>
public sealed record PoolProfile
{
    /// <summary>
    /// No pooling: every open creates a new physical connection and every close ends it, like SQLAlchemy's
    /// <c>NullPool</c>. Simple and leak-proof for development; too slow for production traffic.
    /// </summary>
    public static PoolProfile Development { get; } = new()
    {
        Name = "Development",
        Pooling = false,
    };

    /// <summary>
    /// A sized pool for services: up to 23 connections (the article's 15 plus 8 overflow), 2 kept warm,
    /// a 5-second fail-fast wait when all are busy, each connection recycled after 5 minutes, idle ones
    /// closed after a minute.
    /// </summary>
    public static PoolProfile Production { get; } = new()
    {
        Name = "Production",
        Pooling = true,
        MinPoolSize = 2,
        MaxPoolSize = 23,
        AcquireTimeout = TimeSpan.FromSeconds(5),
        ConnectionLifetime = TimeSpan.FromMinutes(5),
        IdleLifetime = TimeSpan.FromMinutes(1),
        PruningInterval = TimeSpan.FromSeconds(10),
    };

    /// <summary>A label shown in logs and diagnostics. Defaults to <c>Custom</c>.</summary>
    public string Name { get; init; } = "Custom";

    /// <summary>Whether connections are pooled. When <see langword="false"/> the size and lifetime settings are ignored.</summary>
    public bool Pooling { get; init; } = true;

    /// <summary>Connections the pool keeps open even when idle. Zero or more, at most <see cref="MaxPoolSize"/>.</summary>
    public int MinPoolSize { get; init; }

    /// <summary>The most connections the pool opens to the server. At least 1.</summary>
    public int MaxPoolSize { get; init; } = 100;

    /// <summary>
    /// How long an open waits, when the pool is exhausted or the server is slow to accept, before it fails with an
    /// <see cref="Npgsql.NpgsqlException"/>. Npgsql counts whole seconds: the value is rounded up to the next second.
    /// Between 1 second and 1024 seconds.
    /// </summary>
    public TimeSpan AcquireTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Age after which a connection is closed instead of returned to the pool, so that load balancers, failovers
    /// and server-side memory growth are picked up; <see langword="null"/> keeps connections for ever.
    /// </summary>
    public TimeSpan? ConnectionLifetime { get; init; }

    /// <summary>How long a connection may sit idle in the pool, above <see cref="MinPoolSize"/>, before it is closed.</summary>
    public TimeSpan IdleLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the pool looks for idle connections to close. Must not exceed <see cref="IdleLifetime"/>.</summary>
    public TimeSpan PruningInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Describes the profile in one line, for logs and the tour.</summary>
    public override string ToString()
    {
        if (!Pooling)
        {
            return $"{Name} (pooling off)";
        }

        var lifetime = ConnectionLifetime is { } value ? Seconds(value) : "unlimited";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Name} (pool {MinPoolSize}..{MaxPoolSize}, acquire timeout {Seconds(AcquireTimeout)}, lifetime {lifetime}, idle {Seconds(IdleLifetime)}, pruning every {Seconds(PruningInterval)})");
    }

    /// <summary>Lists every setting that is out of range, each naming the setting and its value.</summary>
    /// <param name="path">The name under which the profile is configured, used as the prefix of each setting.</param>
    internal IEnumerable<string> Validate(string path)
    {
        if (!Pooling)
        {
            yield break;
        }

        if (MaxPoolSize < 1)
        {
            yield return Invariant($"{path}.{nameof(MaxPoolSize)} must be at least 1, but was {MaxPoolSize}.");
        }

        if (MinPoolSize < 0)
        {
            yield return Invariant($"{path}.{nameof(MinPoolSize)} must not be negative, but was {MinPoolSize}.");
        }
        else if (MinPoolSize > MaxPoolSize)
        {
            yield return Invariant($"{path}.{nameof(MinPoolSize)} ({MinPoolSize}) must not exceed {path}.{nameof(MaxPoolSize)} ({MaxPoolSize}).");
        }

        if (AcquireTimeout <= TimeSpan.Zero || AcquireTimeout > MaxAcquireTimeout)
        {
            yield return Invariant($"{path}.{nameof(AcquireTimeout)} must be between 00:00:01 and {MaxAcquireTimeout}, but was {AcquireTimeout}.");
        }

        if (ConnectionLifetime is { } lifetime && lifetime <= TimeSpan.Zero)
        {
            yield return Invariant($"{path}.{nameof(ConnectionLifetime)} must be positive or null (unlimited), but was {lifetime}.");
        }

        if (IdleLifetime < TimeSpan.FromSeconds(1))
        {
            yield return Invariant($"{path}.{nameof(IdleLifetime)} must be at least 00:00:01, but was {IdleLifetime}.");
        }

        if (PruningInterval < TimeSpan.FromSeconds(1) || PruningInterval > IdleLifetime)
        {
            yield return Invariant($"{path}.{nameof(PruningInterval)} must be between 00:00:01 and {path}.{nameof(IdleLifetime)} ({IdleLifetime}), but was {PruningInterval}.");
        }
    }

    /// <summary>Writes the profile into Npgsql's connection settings. Call only on a profile that validated.</summary>
    internal void ApplyTo(Npgsql.NpgsqlConnectionStringBuilder settings)
    {
        settings.Pooling = Pooling;
        if (!Pooling)
        {
            return;
        }

        settings.MinPoolSize = MinPoolSize;
        settings.MaxPoolSize = MaxPoolSize;
        settings.Timeout = WholeSeconds(AcquireTimeout);
        settings.ConnectionLifetime = ConnectionLifetime is { } lifetime ? WholeSeconds(lifetime) : 0;
        settings.ConnectionIdleLifetime = WholeSeconds(IdleLifetime);
        settings.ConnectionPruningInterval = WholeSeconds(PruningInterval);
    }

    // Npgsql's Timeout keyword accepts at most 1024 seconds.
    private static readonly TimeSpan MaxAcquireTimeout = TimeSpan.FromSeconds(1024);

    private static int WholeSeconds(TimeSpan value) => (int)Math.Ceiling(value.TotalSeconds);

    private static string Seconds(TimeSpan value) => Invariant($"{value.TotalSeconds:0.###} s");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
