using NpgsqlTypes;

namespace OrmPerf.Routing.Probing;

/// <summary>What the last probe learnt about the primary. Immutable.</summary>
/// <param name="ProbedAt">When the probe finished, by the router's <see cref="TimeProvider"/>.</param>
/// <param name="Position">The primary's WAL position; null when it did not answer.</param>
/// <param name="Server">The server's own <c>address:port</c>; null over a Unix socket or when it did not answer.</param>
/// <param name="ErrorType">The full type name of the error that failed the probe; null when it answered.</param>
internal sealed record PrimaryHealth(DateTimeOffset ProbedAt, NpgsqlLogSequenceNumber? Position, string? Server, string? ErrorType)
{
    /// <summary>Whether the primary answered the probe within the probe timeout.</summary>
    public bool Reachable => ErrorType is null;
}
