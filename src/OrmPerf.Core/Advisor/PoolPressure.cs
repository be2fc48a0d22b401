namespace OrmPerf.Advisor;

/// <summary>
/// What one of this process's OrmPerf pools went through, read from Npgsql's own pool metrics by the in-process advisor:
/// opens that waited because every connection was busy, the longest queue, and opens that gave up.
/// </summary>
/// <param name="Name">The data source's Npgsql name (<c>db.client.connection.pool.name</c> in Npgsql's metrics), e.g. <c>primary/Production</c>.</param>
/// <param name="Role">The server's role: <c>primary</c> or a replica's name.</param>
/// <param name="MaxPoolSize">The pool's <c>Max Pool Size</c>.</param>
/// <param name="AcquireWaits">Opens that found no idle connection with the pool at its maximum, and waited.</param>
/// <param name="PeakPendingRequests">The most opens waiting at once.</param>
/// <param name="Timeouts">Opens that waited past the acquire timeout and failed.</param>
/// <param name="ExhaustedFor">How long at least one open was waiting.</param>
/// <param name="ObservedFor">How long the pool has been watched (since OrmPerf built it).</param>
/// <param name="TooSmall">Whether the waits say the pool is too small (<see cref="WorkloadAdvisorOptions.MinAcquireWaitsForPoolTooSmall"/>, <see cref="WorkloadAdvisorOptions.PendingRequestsRatioForPoolTooSmall"/>), or opens timed out.</param>
/// <param name="Evidence">The numbers above in one sentence.</param>
public sealed record PoolPressure(
    string Name,
    string Role,
    int MaxPoolSize,
    long AcquireWaits,
    int PeakPendingRequests,
    long Timeouts,
    TimeSpan ExhaustedFor,
    TimeSpan ObservedFor,
    bool TooSmall,
    string Evidence);
