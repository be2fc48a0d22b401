namespace OrmPerf.IntegrationTests.Infrastructure;

/// <summary>
/// Runs synchronous calls on a thread whose synchronization context never runs what is posted to it, like a UI thread
/// (or classic ASP.NET) that blocks on a task: library code that resumes on its caller's context deadlocks there.
/// </summary>
internal static class BlockingCaller
{
    /// <summary>Runs <paramref name="calls"/> on such a thread; the task completes with their result or their exception.</summary>
    public static Task<T> RunAsync<T>(Func<T> calls)
    {
        var finished = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            SynchronizationContext.SetSynchronizationContext(new BlockedContext());
            try
            {
                finished.SetResult(calls());
            }
            catch (Exception e)
            {
                finished.SetException(e);
            }
        })
        {
            IsBackground = true, // a deadlocked caller must not keep the test run alive
            Name = "blocking caller",
        };
        thread.Start();
        return finished.Task;
    }

    private sealed class BlockedContext : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state)
        {
        }

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("The thread is blocked.");
    }
}
