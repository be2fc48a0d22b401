using Npgsql;
using NpgsqlTypes;

namespace OrmPerf.Consistency;

/// <summary>
/// Commits and learns the commit's WAL position in the same round trip: <c>COMMIT</c> and
/// <c>SELECT pg_current_wal_insert_lsn()</c> go out together in one <see cref="NpgsqlBatch"/>. The select runs after the
/// commit has completed, so the position is at or after the end of the commit record (the insert position, unlike the
/// write position, includes every record already inserted, even under <c>synchronous_commit = off</c>): a replica
/// that has replayed up to it sees the transaction.
/// </summary>
internal static class CommitPosition
{
    /// <summary>The statement that reads the position once the write has committed.</summary>
    public const string Sql = "SELECT pg_current_wal_insert_lsn()";

    /// <summary>Commits <paramref name="transaction"/> on <paramref name="connection"/> and returns the commit's position.</summary>
    public static async Task<NpgsqlLogSequenceNumber> CommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands = { new NpgsqlBatchCommand("COMMIT"), new NpgsqlBatchCommand(Sql) },
        };
        await using var batchDisposal = batch.ConfigureAwait(false);
        var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        return await ReadPositionAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the position from the result of <see cref="Sql"/>, skipping the results before it.</summary>
    public static async Task<NpgsqlLogSequenceNumber> ReadPositionAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        while (reader.FieldCount == 0 || reader.GetName(0) != "pg_current_wal_insert_lsn")
        {
            if (!await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException("The commit's WAL position was not returned.");
            }
        }

        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return reader.GetFieldValue<NpgsqlLogSequenceNumber>(0);
    }
}
