namespace OrmPerf.Batching;

/// <summary>
/// Carries, from the committer to the flusher, a row that could not be turned into PostgreSQL values (a getter threw,
/// or Npgsql could not encode a value): its index in the batch, or -1 when the encoder did not say which row, and the
/// error the row's writer reports. Never leaves the library.
/// </summary>
internal sealed class UnwritableRowException(int index, ArgumentException error) : OrmPerfException(error.Message, error)
{
    public int Index { get; } = index;

    public ArgumentException Error { get; } = error;

    /// <summary>Whether <paramref name="error"/>, thrown while reading or encoding a row, is the row's fault rather than the connection's or the caller's.</summary>
    public static bool IsCausedByRow(Exception error) =>
        error is not (Npgsql.NpgsqlException or OperationCanceledException or ObjectDisposedException or IOException or TimeoutException or OutOfMemoryException);

    public static UnwritableRowException For<T>(TableMap<T> map, ColumnMap<T>? column, int index, Exception error) => new(
        index,
        new ArgumentException(
            column is null
                ? $"A row for {map.DisplayName} could not be encoded: {error.GetType().Name}: {error.Message}"
                : $"Column '{column.Name}' of a row for {map.DisplayName} ({typeof(T).Name}.{column.Member}, {column.ClrType.Name} written as {column.DbType}) could not be read or encoded: {error.GetType().Name}: {error.Message}",
            error));
}
