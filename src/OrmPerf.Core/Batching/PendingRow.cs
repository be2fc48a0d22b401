using NpgsqlTypes;

namespace OrmPerf.Batching;

/// <summary>
/// A row given to <see cref="BatchWriter{T}.WriteAsync"/>; its task, which the producer awaits, completes when the
/// row's batch has committed. The <see cref="WriteQueue{T}"/> fields are guarded by the queue's lock.
/// </summary>
internal sealed class PendingRow<T>(T row) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public T Row { get; } = row;

    /// <summary>Over the queue's capacity: the producer still waits for room, and may withdraw the row.</summary>
    public bool WaitingForRoom { get; set; }

    /// <summary>Withdrawn by its producer's cancellation before it found room: never written.</summary>
    public bool Withdrawn { get; set; }

    /// <summary>The WAL position of the row's commit, set before the task completes; <see langword="default"/> when unknown.</summary>
    public NpgsqlLogSequenceNumber CommitPosition { get; set; }

    /// <summary>Withdraws the row when its producer cancels while it waits for room.</summary>
    public CancellationTokenRegistration Withdrawal { get; set; }
}
