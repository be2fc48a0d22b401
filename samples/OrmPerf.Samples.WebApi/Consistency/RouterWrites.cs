using OrmPerf.Routing;

namespace OrmPerf.Samples.WebApi.Consistency;

/// <summary>Tells a request's router about a write it did not see.</summary>
internal static class RouterWrites
{
    /// <summary>
    /// The batch writer commits on the primary outside the router. Opening a write connection through the router marks
    /// the request as having written, so its consistency token is then taken from the primary's current WAL position,
    /// which is past the commit that has already happened.
    /// </summary>
    public static async Task NoteCommittedWriteAsync(this IConnectionRouter router, CancellationToken cancellationToken)
    {
        await using var connection = await router.OpenConnectionAsync(Intent.Write, cancellationToken);
    }
}
