namespace OrmPerf.Batching;

/// <summary>
/// A batch's COMMIT was sent but its outcome is not known (the server still reports the transaction in progress).
/// The writer retries it like a transient error, asking the server again before writing anything, so a row is never
/// written twice; when the retry budget runs out first, the rows' <see cref="IBatchWriter{T}.WriteAsync"/> faults with
/// this exception: the rows may or may not be in the table, and <see cref="TransactionId"/> tells which transaction
/// to look for (<c>pg_xact_status</c>).
/// </summary>
public sealed class TransactionInDoubtException : OrmPerfException
{
    /// <summary>Creates the exception for the transaction whose outcome is unknown.</summary>
    public TransactionInDoubtException(long transactionId)
        : base($"The outcome of transaction {transactionId} is not known yet; its batch is neither written again nor given up.")
    {
        TransactionId = transactionId;
    }

    /// <summary>The id (<c>xid8</c>) of the transaction whose COMMIT was sent.</summary>
    public long TransactionId { get; }
}
