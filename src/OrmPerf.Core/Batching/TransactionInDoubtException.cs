namespace OrmPerf.Batching;

/// <summary>
/// A batch's COMMIT was sent but its outcome is not known yet (the server still reports the transaction in progress).
/// Retried like a transient error: the next attempt asks the server again before writing anything.
/// </summary>
internal sealed class TransactionInDoubtException(long transactionId)
    : Exception($"The outcome of transaction {transactionId} is not known yet; its batch is neither written again nor given up.");
