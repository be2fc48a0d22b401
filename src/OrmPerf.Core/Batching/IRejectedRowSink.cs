using Npgsql;

namespace OrmPerf.Batching;

/// <summary>
/// Receives each row that PostgreSQL refused on its own (constraint violation, NOT NULL, value out of range) after the
/// batch writer isolated it and committed the rest of its batch, and each row that could not be written at all (a null
/// row in an import, a getter that threw, a value Npgsql cannot encode): the dead-letter queue. Register one in the
/// container to keep such rows; called from the writer's loop or the import's task, one row at a time.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
public interface IRejectedRowSink<in T>
{
    /// <summary>Takes a rejected row and the error PostgreSQL gave for it.</summary>
    ValueTask OnRejectedAsync(T row, PostgresException error, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a row that never reached PostgreSQL because it could not be turned into values: null (imports only; a null
    /// given to <c>WriteAsync</c> throws there), or its mapping threw. The rest of its batch was written.
    /// </summary>
    /// <param name="row">The row; null when the import's source yielded null.</param>
    /// <param name="importIndex">
    /// The row's zero-based position in the source given to <c>WriteManyAsync</c>; null for a row given to <c>WriteAsync</c>
    /// (whose task faults with <paramref name="error"/>).
    /// </param>
    /// <param name="error">
    /// <see cref="ArgumentNullException"/> for a null row; otherwise an <see cref="ArgumentException"/> naming the column
    /// and member, whose inner exception is what the getter or Npgsql threw.
    /// </param>
    /// <param name="cancellationToken">Cancelled when the import or the writer is stopped.</param>
    ValueTask OnUnwritableAsync(T? row, long? importIndex, ArgumentException error, CancellationToken cancellationToken);
}
