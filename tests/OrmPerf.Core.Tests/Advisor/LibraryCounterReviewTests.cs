using OrmPerf.Advisor;
using OrmPerf.Caching;
using OrmPerf.Connections;

namespace OrmPerf.Core.Tests.Advisor;

public sealed class LibraryCounterReviewTests
{
    private static readonly WorkloadAdvisorOptions Defaults = new();

    [Theory]
    [InlineData(2, 30, 1, 0, true)] // the queue reached half of a pool of two
    [InlineData(20, 30, 9, 0, false)] // waits, but the queue stayed under half the pool
    [InlineData(20, 30, 10, 0, true)]
    [InlineData(2, 9, 5, 0, false)] // too few waits to judge
    [InlineData(20, 1, 1, 1, true)] // an open timed out
    [InlineData(20, 0, 0, 0, false)]
    public void A_pool_is_too_small_when_enough_opens_waited_with_a_long_enough_queue_or_one_timed_out(int maxPoolSize, long waits, int peak, long timeouts, bool tooSmall)
    {
        var reading = new PoolPressureReading("primary/Production", "primary", maxPoolSize, waits, peak, 0, timeouts, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(2));

        var pressure = Assert.Single(PoolPressureReview.Review([reading], Defaults));

        Assert.Equal(tooSmall, pressure.TooSmall);
        Assert.Contains("pool 'primary/Production'", pressure.Evidence);
        Assert.Equal(tooSmall, pressure.Evidence.Contains("too small for this demand", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 120, 120, true)] // written between every read
    [InlineData(99, 401, 400, true)]
    [InlineData(190, 10, 1, false)] // stable
    [InlineData(10, 190, 0, false)] // misses from keys that never repeat, not from writes
    [InlineData(0, 50, 50, false)] // too few reads to judge
    [InlineData(60, 60, 60, false)] // half the reads hit
    public void A_cached_query_does_not_pay_when_few_reads_hit_and_invalidations_explain_the_misses(long hits, long misses, long invalidations, bool named)
    {
        var statistics = new CachedQueryStatistics("SELECT quantity FROM stock WHERE id = @id", ["table:stock"], hits, misses, invalidations);

        var found = CachedQueryReview.Review([statistics], Defaults);

        Assert.Equal(named, found.Count == 1);
    }
}
