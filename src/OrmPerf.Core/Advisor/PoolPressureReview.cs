using System.Globalization;
using OrmPerf.Connections;

namespace OrmPerf.Advisor;

/// <summary>Judges the pools' waits as read by <see cref="PoolPressureListener"/>. Stateless and thread-safe.</summary>
internal static class PoolPressureReview
{
    public static List<PoolPressure> Review(IReadOnlyList<PoolPressureReading> readings, WorkloadAdvisorOptions options) =>
        readings.Select(reading => Review(reading, options)).ToList();

    private static PoolPressure Review(PoolPressureReading r, WorkloadAdvisorOptions options)
    {
        var queueThreshold = Math.Max(1, (int)Math.Ceiling(r.MaxPoolSize * options.PendingRequestsRatioForPoolTooSmall));
        var tooSmall = r.Timeouts > 0 || (r.AcquireWaits >= options.MinAcquireWaitsForPoolTooSmall && r.PeakPendingRequests >= queueThreshold);
        var observed = Seconds(r.ObservedFor);
        string evidence;
        if (r.AcquireWaits == 0 && r.Timeouts == 0)
        {
            evidence = Invariant($"pool '{r.Name}' (Max Pool Size {r.MaxPoolSize}): no open waited for a connection in {observed} observed");
        }
        else
        {
            var share = r.ObservedFor > TimeSpan.Zero ? r.ExhaustedFor / r.ObservedFor : 0;
            evidence = Invariant($"pool '{r.Name}' (Max Pool Size {r.MaxPoolSize}): {r.AcquireWaits} opens waited for a connection in {observed} observed, up to {r.PeakPendingRequests} at once ({(double)r.PeakPendingRequests / r.MaxPoolSize:0.#}x the pool), the pool exhausted for {Seconds(r.ExhaustedFor)} ({share:P0}), {r.Timeouts} timeouts");
            if (tooSmall)
            {
                evidence += Invariant($": too small for this demand; raise Max Pool Size towards {r.MaxPoolSize + r.PeakPendingRequests} if the server has room, or shorten what holds connections");
            }
        }

        return new PoolPressure(r.Name, r.Role, r.MaxPoolSize, r.AcquireWaits, r.PeakPendingRequests, r.Timeouts, r.ExhaustedFor, r.ObservedFor, tooSmall, evidence);
    }

    private static string Seconds(TimeSpan value) => Invariant($"{value.TotalSeconds:0.###} s");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
