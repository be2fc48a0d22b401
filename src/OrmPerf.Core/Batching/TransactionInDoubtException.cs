namespace OrmPerf.Batching;

/// <summary>
/// A batch's COMMIT was sent but its outcome is not known. While the server still reports the transaction in progress,
/// the writer retries it like a transient error, asking the server again before writing anything, so a row is never
/// written twice; when the retry budget runs out first, the rows' <see cref="IBatchWriter{T}.WriteAsync"/> faults with
/// this exception. When the server recovered from a crash meanwhile and reports the id committed, the answer may
/// belong to another transaction (an id that had not reached the WAL on disk is handed out again after a crash);
/// unless the server can still tell the first id it handed out after the recovery, the rows fault with it at once.
/// Either way the rows may or may not be in the table, and <see cref="TransactionId"/> tells which transaction to look
/// for (<c>pg_xact_status</c>).
/// </summary>
public sealed class TransactionInDoubtException : OrmPerfException
{
    /// <summary>Creates the exception for the transaction whose outcome is unknown.</summary>
    public TransactionInDoubtException(long transactionId)
        : base($"The outcome of transaction {transactionId} is not known yet; its batch is neither written again nor given up.")
    {
        TransactionId = transactionId;
    }

    private TransactionInDoubtException(long transactionId, string message)
        : base(message)
    {
        TransactionId = transactionId;
        IsFinal = true;
    }

    /// <summary>The id (<c>xid8</c>) of the transaction whose COMMIT was sent.</summary>
    public long TransactionId { get; }

    /// <summary>Asking again cannot tell: the batch is given up at once rather than retried until its budget runs out.</summary>
    internal bool IsFinal { get; }

    /// <summary>
    /// The server recovered from a crash after the COMMIT was sent and reports the id committed, which may be another
    /// transaction's commit under the same id (PostgreSQL hands out again an id that had not reached the WAL on disk).
    /// </summary>
    internal static TransactionInDoubtException AfterCrash(long transactionId) => new(
        transactionId,
        $"The server recovered from a crash after transaction {transactionId} sent its COMMIT, and now reports that id committed; after a crash PostgreSQL may give an id "
        + "that never reached the WAL on disk to another transaction, so this cannot tell whether the batch was written. It is neither written again nor given up as unwritten: look for its rows.");
}
