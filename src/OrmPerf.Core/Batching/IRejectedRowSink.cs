using Npgsql;

namespace OrmPerf.Batching;

/// <summary>
/// Receives each row that PostgreSQL refused on its own (constraint violation, NOT NULL, value out of range) after the
/// batch writer isolated it and committed the rest of its batch: the dead-letter queue. Register one in the container
/// to keep such rows; called from the writer's loop, one row at a time.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
public interface IRejectedRowSink<in T>
{
    /// <summary>Takes a rejected row and the error PostgreSQL gave for it.</summary>
    ValueTask OnRejectedAsync(T row, PostgresException error, CancellationToken cancellationToken);
}
