using NpgsqlTypes;

namespace OrmPerf.Batching;

/// <summary>What a flushed batch became: the rows set aside, by index with their error, and the WAL position of its last commit.</summary>
/// <param name="Rejected">The rows not written, by index in the batch.</param>
/// <param name="CommitPosition">At or after the commit of every written part; <see langword="default"/> when unknown or nothing was written.</param>
internal readonly record struct BatchFlush(IReadOnlyList<(int Index, Exception Error)> Rejected, NpgsqlLogSequenceNumber CommitPosition);
