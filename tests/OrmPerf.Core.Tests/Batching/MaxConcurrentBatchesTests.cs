using OrmPerf.Batching;

namespace OrmPerf.Core.Tests.Batching;

public sealed class MaxConcurrentBatchesTests
{
    [Theory]
    [InlineData(WriteMode.Insert, null, 2)]
    [InlineData(WriteMode.Upsert, null, 1)]
    [InlineData(WriteMode.InsertOrIgnore, null, 1)]
    [InlineData(WriteMode.Insert, 1, 1)]
    [InlineData(WriteMode.Upsert, 3, 3)]
    public void Plain_inserts_overlap_two_batches_by_default_and_upserts_only_when_asked(WriteMode mode, int? configured, int expected)
    {
        var options = new BatchWriterOptions { Mode = mode, MaxConcurrentBatches = configured };

        Assert.Equal(expected, options.ConcurrentBatches);
        Assert.Empty(BatchWriterOptionsValidator.Failures(options, table: null));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void Fewer_than_one_batch_in_flight_is_refused_naming_the_value(int configured)
    {
        var failure = Assert.Single(BatchWriterOptionsValidator.Failures(new BatchWriterOptions { MaxConcurrentBatches = configured }, table: null));

        Assert.Contains("MaxConcurrentBatches", failure, StringComparison.Ordinal);
        Assert.Contains($"got {configured}", failure, StringComparison.Ordinal);
    }
}
