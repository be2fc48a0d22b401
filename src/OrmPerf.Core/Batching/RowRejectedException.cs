using Npgsql;

namespace OrmPerf.Batching;

/// <summary>
/// Faults the <see cref="IBatchWriter{T}.WriteAsync"/> of a row PostgreSQL refused; the rest of its batch was committed.
/// <see cref="Exception.InnerException"/> is the <see cref="PostgresException"/>.
/// </summary>
public sealed class RowRejectedException(string table, PostgresException error)
    : OrmPerfException($"PostgreSQL rejected the row for table '{table}' ({error.SqlState}: {error.MessageText}); the other rows of its batch were committed.", error)
{
    /// <summary>The table the row was meant for.</summary>
    public string Table { get; } = table;

    /// <summary>PostgreSQL's error for this row.</summary>
    public PostgresException Error { get; } = error;
}
