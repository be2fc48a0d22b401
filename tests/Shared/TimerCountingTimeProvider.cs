using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace OrmPerf.Testing;

/// <summary>
/// A fake clock that counts the timers set on it, so that a test can wait until the code under test has set its next
/// timer before advancing. An advance that lands between that code reading the clock and setting its timer is lost:
/// the timer counts from the advanced time and fires late by the whole advance.
/// </summary>
internal sealed class TimerCountingTimeProvider : FakeTimeProvider
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private int _timersSet;

    /// <summary>How many timers have been set on this clock so far (each <c>Task.Delay</c> on it sets one).</summary>
    public int TimersSet => Volatile.Read(ref _timersSet);

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timersSet);
        return timer;
    }

    /// <summary>Waits, in real time, until at least <paramref name="count"/> timers have been set; fails after 30 s.</summary>
    public async Task WaitForTimersAsync(int count, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (TimersSet < count)
        {
            if (waited.Elapsed > Patience)
            {
                throw new TimeoutException($"Expected {count} timers set on the fake clock within {Patience.TotalSeconds} s, but {TimersSet} were.");
            }

            await Task.Delay(5, cancellationToken);
        }
    }
}
