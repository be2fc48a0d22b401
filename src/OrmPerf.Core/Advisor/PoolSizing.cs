namespace OrmPerf.Advisor;

/// <summary>The connection pool's size against the server's limit and, in-process, against the demand its waits show.</summary>
/// <param name="Verdict">Whether it fits.</param>
/// <param name="MaxPoolSize">The data source's <c>Max Pool Size</c>.</param>
/// <param name="Instances">The instances the options said share the server.</param>
/// <param name="MaxConnections">The server's <c>max_connections</c> less <c>superuser_reserved_connections</c>.</param>
/// <param name="OtherConnections">Sessions open on the server now that belong to other databases or users (other clients' share).</param>
/// <param name="OwnSessions">Sessions open on the server now for this database and user (this application's share, all instances), from <c>pg_stat_activity</c>.</param>
/// <param name="OwnActiveSessions">Of those, the sessions running a statement now.</param>
/// <param name="Pressure">
/// One entry per pool OrmPerf built in this process (the primary, each replica), read from Npgsql's pool metrics; empty
/// when the advisor runs outside the application (<see cref="WorkloadAdvisorOptions.ReadLibraryCounters"/> off).
/// </param>
/// <param name="Evidence">The numbers above in one sentence.</param>
public sealed record PoolSizing(
    PoolVerdict Verdict, int MaxPoolSize, int Instances, int MaxConnections, int OtherConnections, int OwnSessions, int OwnActiveSessions,
    IReadOnlyList<PoolPressure> Pressure, string Evidence);

/// <summary>How the pool's size compares with what the server allows.</summary>
public enum PoolVerdict
{
    /// <summary>Every instance's pool can be full at once without reaching the server's limit.</summary>
    Fits,

    /// <summary>Instances times <c>Max Pool Size</c> exceeds what the server accepts once other clients are counted: under load, opens fail with 53300.</summary>
    TooBig,

    /// <summary>
    /// Opens in this process waited for a connection, with as many queued as a large share of the pool, or timed out:
    /// the pool, not the server, limits the throughput (see <see cref="PoolSizing.Pressure"/>).
    /// </summary>
    TooSmall,
}
