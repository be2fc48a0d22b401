using System.Diagnostics;

namespace OrmPerf.Samples.Tour.Measurement;

/// <summary>Times an operation repeated in sequence, after one untimed warm-up run (JIT, pools, plan caches).</summary>
internal static class Measure
{
    public static async Task<Timings> RepeatAsync(int count, Func<int, CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        await operation(0, cancellationToken);
        var samples = new TimeSpan[count];
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await operation(i + 1, cancellationToken);
            samples[i] = Stopwatch.GetElapsedTime(started);
        }

        return new Timings(samples);
    }

    /// <summary>Times one run of <paramref name="operation"/>.</summary>
    public static async Task<TimeSpan> OnceAsync(Func<Task> operation)
    {
        var started = Stopwatch.GetTimestamp();
        await operation();
        return Stopwatch.GetElapsedTime(started);
    }
}

/// <summary>Durations of repeated runs. The median is what the tour reports: on a shared machine it shrugs off outliers.</summary>
internal sealed class Timings(IReadOnlyList<TimeSpan> samples)
{
    private readonly TimeSpan[] _sorted = [.. samples.Order()];

    public TimeSpan Median => _sorted.Length == 0 ? TimeSpan.Zero : _sorted[_sorted.Length / 2];

    public TimeSpan Max => _sorted.Length == 0 ? TimeSpan.Zero : _sorted[^1];

    public int Count => _sorted.Length;
}
