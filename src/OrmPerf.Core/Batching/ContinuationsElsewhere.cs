namespace OrmPerf.Batching;

/// <summary>
/// While the writer settles rows, makes the current thread one where .NET does not run awaiting code inline: an
/// <c>await</c> on a row's task (with or without <c>ConfigureAwait(false)</c>, or under a context or scheduler of its own)
/// resumes on the thread pool, not on the writer, yet what only does bookkeeping runs inline: a
/// <see cref="Task.WhenAll(IEnumerable{Task})"/> counting down its tasks. Rows' tasks therefore need not run all their
/// continuations asynchronously, which cost a thread-pool item (and an allocation) per row for each
/// <c>Task.WhenAll</c> over rows: producers with many writes in flight take 20-25 % less time without. Only a
/// <see cref="Task.ContinueWith(Action{Task})"/> that asks for <see cref="TaskContinuationOptions.ExecuteSynchronously"/>
/// still runs on the settling thread, as it asks. Posting to this context queues to the thread pool (the base
/// behaviour), for code such a continuation starts.
/// </summary>
internal sealed class ContinuationsElsewhere : SynchronizationContext
{
    private static readonly ContinuationsElsewhere Instance = new();

    /// <summary>Makes the current thread one that does not run awaiting code inline, until the scope is disposed.</summary>
    public static Scope Enter()
    {
        var previous = Current;
        SetSynchronizationContext(Instance);
        return new Scope(previous);
    }

    /// <summary>Restores the context the thread had before <see cref="Enter"/>.</summary>
    public readonly struct Scope(SynchronizationContext? previous) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => SetSynchronizationContext(previous);
    }
}
