using NpgsqlTypes;

namespace OrmPerf.Caching;

/// <summary>
/// One factory run for one key that every concurrent caller of the key awaits (stampede protection). Each caller
/// waits with its own token; the factory's token is cancelled only when the last waiter has given up, so one
/// cancelled caller never cancels the others' result. Thread-safe.
/// </summary>
/// <param name="tags">The tags of the entry being computed.</param>
/// <param name="generations">The tag generations the factory started under.</param>
/// <param name="demand">The WAL position the factory must read at or after (default: none); see <see cref="Consistency.CacheFill"/>.</param>
/// <param name="abandonable">
/// Whether the first waiter can give up (its token can be cancelled); if not, the waiters never all leave, and the
/// factory gets <see cref="CancellationToken.None"/> rather than a token source nobody can cancel.
/// </param>
internal sealed class QueryCacheFlight<T>(IReadOnlyList<string> tags, long[] generations, NpgsqlLogSequenceNumber demand, bool abandonable)
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Not disposed: it owns no timer, and a waiter may still cancel it while the run completes.
    private readonly CancellationTokenSource? _abandoned = abandonable ? new() : null;
    private int _waiters = 1;
    private bool _superseded;

    /// <summary>The tags of the entry being computed.</summary>
    public IReadOnlyList<string> Tags { get; } = tags;

    /// <summary>The tag generations the factory started under.</summary>
    public long[] Generations { get; } = generations;

    /// <summary>The position the result will be read at or after: a caller demanding more must not join.</summary>
    public NpgsqlLogSequenceNumber Demand { get; } = demand;

    /// <summary>Whether a newer flight took this one's place for the key: its result then goes to its waiters only, never into the cache.</summary>
    public bool Superseded => Volatile.Read(ref _superseded);

    /// <summary>Cancelled when every waiter has given up.</summary>
    public CancellationToken FactoryToken => _abandoned?.Token ?? CancellationToken.None;

    /// <summary>Adds a waiter unless all have already left (then the run is being cancelled: start another).</summary>
    public bool TryJoin()
    {
        while (true)
        {
            var waiters = Volatile.Read(ref _waiters);
            if (waiters == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _waiters, waiters + 1, waiters) == waiters)
            {
                return true;
            }
        }
    }

    /// <summary>Waits for the result; on cancellation of <paramref name="cancellationToken"/>, leaves the flight.</summary>
    public async ValueTask<T> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !_completion.Task.IsCompleted)
        {
            if (Interlocked.Decrement(ref _waiters) == 0)
            {
                _abandoned!.Cancel();
            }

            throw;
        }
    }

    public void Supersede() => Volatile.Write(ref _superseded, true);

    public void Complete(T value)
    {
        _completion.TrySetResult(value);
    }

    public void Fail(Exception exception)
    {
        _completion.TrySetException(exception);
    }
}
