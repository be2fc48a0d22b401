using NpgsqlTypes;
using OrmPerf.Consistency;

namespace OrmPerf.Batching;

/// <summary>
/// A row given to <see cref="BatchWriter{T}.WriteAsync"/>; its task, which the producer awaits, completes when the
/// row's batch has committed. The <see cref="WriteQueue{T}"/> fields are guarded by the queue's lock. Kept small on
/// purpose: producers with many writes in flight hold one per row until its commit, and each garbage collection they
/// live through copies it; what only some rows need is in <see cref="TrackedPendingRow{T}"/>. Its task may run
/// continuations synchronously: rows are settled only within <see cref="ContinuationsElsewhere"/>, where awaiting code
/// still resumes on the thread pool.
/// </summary>
internal class PendingRow<T>(T row) : TaskCompletionSource
{
    public T Row { get; } = row;

    /// <summary>Over the queue's capacity: the producer still waits for room, and may withdraw the row.</summary>
    public bool WaitingForRoom { get; set; }

    /// <summary>Withdrawn by its producer's cancellation before it found room: never written.</summary>
    public bool Withdrawn { get; set; }

    /// <summary>
    /// Completes the row's task once its batch committed at <paramref name="position"/>. <paramref name="reported"/> is
    /// the scope this batch last told of the commit, so that a run of rows of one scope tells it once.
    /// </summary>
    public virtual void Committed(NpgsqlLogSequenceNumber position, ref IWriteReporter? reported) => TrySetResult();

    /// <summary>Called once the row is settled (committed, rejected or failed): ends what it still holds.</summary>
    public virtual void Settled()
    {
    }
}

/// <summary>
/// A <see cref="PendingRow{T}"/> whose producer passed a cancellable token (its task is cancelled when the token fires,
/// and the row withdrawn while it waits for room) or wrote it within a scope that reads from replicas.
/// </summary>
internal sealed class TrackedPendingRow<T>(T row, IWriteReporter? scope) : PendingRow<T>(row)
{
    /// <summary>Cancels the row's task (and withdraws the row while it waits for room) when its producer's token fires.</summary>
    public CancellationTokenRegistration Withdrawal { get; set; }

    /// <inheritdoc />
    public override void Committed(NpgsqlLogSequenceNumber position, ref IWriteReporter? reported)
    {
        // The scope learns of the commit before the row's task completes, so that its own reads that follow (cached or
        // not) see the row. Done here, not by an async wrapper around each row's task: that cost every row of a
        // producer inside a routed scope a second task and a state machine. A reporter that throws faults only its rows.
        if (scope is not null && !ReferenceEquals(scope, reported) && !Task.IsCompleted)
        {
            try
            {
                scope.RecordWrite(position);
            }
            catch (Exception e)
            {
                TrySetException(e);
                return;
            }

            reported = scope;
        }

        TrySetResult();
    }

    /// <inheritdoc />
    public override void Settled() => Withdrawal.Unregister(); // the producer's token may outlive the row by far
}
