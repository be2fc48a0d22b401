using System.Net.Sockets;
using Npgsql;

namespace OrmPerf.Batching;

/// <summary>Sorts the errors a batch can meet: worth retrying whole, caused by one of its rows, or neither.</summary>
internal static class TransientErrors
{
    /// <summary>
    /// Connection lost, server restarting or shutting down, serialization failure, deadlock, or a commit whose outcome
    /// is still unknown (asking again may tell): the batch's transaction did not commit, so writing it again cannot
    /// duplicate rows.
    /// </summary>
    public static bool IsTransient(Exception error) => error switch
    {
        TransactionInDoubtException inDoubt => !inDoubt.IsFinal,
        PostgresException e => e.IsTransient || e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
            or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
            || e.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException e => e.IsTransient || e.InnerException is IOException or SocketException or TimeoutException,
        _ => false,
    };

    /// <summary>Whether the connection itself is gone, so the pool's idle connections are likely dead too.</summary>
    public static bool BreaksConnections(Exception error) =>
        error is NpgsqlException and not PostgresException
        || error is PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow };

    /// <summary>
    /// A data exception (class 22: out of range, invalid value), an integrity violation (class 23: NOT NULL, unique,
    /// check, foreign key) or a second update of one key in one upsert (21000): one or more rows are bad, the others may
    /// be fine, so the batch is split.
    /// </summary>
    public static bool IsCausedByRows(PostgresException error) =>
        error.SqlState.StartsWith("22", StringComparison.Ordinal)
        || error.SqlState.StartsWith("23", StringComparison.Ordinal)
        || error.SqlState == PostgresErrorCodes.CardinalityViolation;
}
