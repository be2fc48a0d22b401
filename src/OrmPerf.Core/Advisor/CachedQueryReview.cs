using System.Globalization;
using OrmPerf.Caching;

namespace OrmPerf.Advisor;

/// <summary>Finds the cached queries whose tables change too often for caching to pay, from the cache's per-query counters. Stateless and thread-safe.</summary>
internal static class CachedQueryReview
{
    public static List<CachedQueryFinding> Review(IReadOnlyList<CachedQueryStatistics> queries, WorkloadAdvisorOptions options) =>
        queries.Where(q => q.Reads >= options.MinReadsForCachedQueryReview && q.HitRatio < options.MinCachedHitRatio
                && q.TagInvalidations * 2 >= q.Misses)
            .OrderByDescending(q => q.Misses)
            .Select(q => new CachedQueryFinding(q.Statement, q.Tags, q.Reads, q.Hits, q.Misses, q.TagInvalidations,
                Invariant($"{q.Reads} reads through the cache: {q.Hits} hits ({q.HitRatio:P1}), {q.Misses} misses, while its tags ({string.Join(", ", q.Tags)}) were invalidated {q.TagInvalidations} times ({(double)q.TagInvalidations / q.Reads:0.##} per read): its tables change between most reads, so caching it does not pay; read it uncached, or cache something that changes less often.")))
            .ToList();

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
