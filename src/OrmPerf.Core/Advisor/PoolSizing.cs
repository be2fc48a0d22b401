namespace OrmPerf.Advisor;

/// <summary>The connection pool's size against the server's limit.</summary>
/// <param name="Verdict">Whether it fits.</param>
/// <param name="MaxPoolSize">The data source's <c>Max Pool Size</c>.</param>
/// <param name="Instances">The instances the options said share the server.</param>
/// <param name="MaxConnections">The server's <c>max_connections</c> less <c>superuser_reserved_connections</c>.</param>
/// <param name="OtherConnections">Sessions open on the server now that belong to other databases or users (other clients' share).</param>
/// <param name="Evidence">The numbers above in one sentence.</param>
public sealed record PoolSizing(
    PoolVerdict Verdict, int MaxPoolSize, int Instances, int MaxConnections, int OtherConnections, string Evidence);

/// <summary>How the pool's size compares with what the server allows.</summary>
public enum PoolVerdict
{
    /// <summary>Every instance's pool can be full at once without reaching the server's limit.</summary>
    Fits,

    /// <summary>Instances times <c>Max Pool Size</c> exceeds what the server accepts once other clients are counted: under load, opens fail with 53300.</summary>
    TooBig,
}
