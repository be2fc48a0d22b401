using System.IO.Hashing;
using System.Text;
using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

[Collection(QueryCacheMeasurementCollection.Name)]
public sealed class QueryKeyReuseTests
{
    private const string Sql = "SELECT name FROM products WHERE id = 42";

    // Other tests build keys in parallel and may take the slot of ours for a moment; a few new instances are tolerated,
    // one per call (as before reuse) is not.
    private const int TolerableNewKeys = 8;
    private const int Calls = 1000;

    [Fact]
    public void Building_a_key_built_before_returns_an_equal_key_and_allocates_next_to_nothing()
    {
        var first = QueryKey.Create<string>(Sql);
        var newKeyBytes = AllocatedBy(() => QueryKey.Create<string>(Sql.Replace("42", "43", StringComparison.Ordinal)));

        var allocated = AllocatedBy(() =>
        {
            for (var i = 0; i < Calls; i++)
            {
                if (!QueryKey.Create<string>(Sql).Equals(first))
                {
                    Assert.Fail("expected an equal key");
                }
            }
        });

        Assert.True(newKeyBytes > 0);
        Assert.True(allocated <= TolerableNewKeys * newKeyBytes, $"{Calls} calls allocated {allocated} B; one new key takes {newKeyBytes} B.");
    }

    [Fact]
    public async Task A_hit_with_the_key_built_per_call_allocates_next_to_nothing()
    {
        using var context = new QueryCacheTestContext();
        Func<CancellationToken, ValueTask<string>> factory = _ => new ValueTask<string>("espresso");
        await context.Cache.GetOrSetAsync(QueryKey.Create<string>(Sql), factory, cancellationToken: TestContext.Current.CancellationToken);
        var newKeyBytes = AllocatedBy(() => QueryKey.Create<string>(Sql.Replace("42", "44", StringComparison.Ordinal)));

        var allocated = AllocatedBy(() =>
        {
            for (var i = 0; i < Calls; i++)
            {
                var result = context.Cache.GetOrSetAsync(QueryKey.Create<string>(Sql), factory);
                if (!result.IsCompletedSuccessfully || result.Result != "espresso")
                {
                    Assert.Fail("expected a completed hit");
                }
            }
        });

        Assert.True(allocated <= TolerableNewKeys * newKeyBytes, $"{Calls} hits allocated {allocated} B; one new key takes {newKeyBytes} B.");
    }

    [Fact]
    public void Keys_with_equal_hashes_are_never_reused_for_each_other()
    {
        var a = QueryKey.Create("SELECT 'a'", null, typeof(string), null, null, _ => UInt128.One);
        var b = QueryKey.Create("SELECT 'b'", null, typeof(string), null, null, _ => UInt128.One);
        var aAgain = QueryKey.Create("SELECT 'a'", null, typeof(string), null, null, _ => UInt128.One);

        Assert.NotEqual(a, b);
        Assert.Equal(a, aAgain);
        Assert.NotEqual(b, aAgain);
        Assert.True(aAgain.Canonical.Span.IndexOf("SELECT 'a'"u8) >= 0);
    }

    [Fact]
    public void A_key_longer_than_the_stack_buffer_is_encoded_whole()
    {
        var sql = "SELECT * FROM café WHERE id IN (" + string.Join(", ", Enumerable.Range(1, 400)) + ")";
        var parameters = new { names = Enumerable.Range(1, 300).Select(i => "näme " + i).ToArray() };

        var key = QueryKey.Create<int>(sql, parameters);
        var again = QueryKey.Create<int>(sql, parameters);
        var other = QueryKey.Create<int>(sql, new { names = parameters.names.Append("one more").ToArray() });

        Assert.True(key.Canonical.Length > 4096, $"{key.Canonical.Length} B");
        Assert.Equal(XxHash128.HashToUInt128(key.Canonical.Span), key.Hash);
        Assert.True(key.Canonical.Span.IndexOf(Encoding.UTF8.GetBytes(sql)) >= 0);
        Assert.True(key.Canonical.Span.EndsWith(Encoding.UTF8.GetBytes("näme 300")));
        Assert.Equal(key, again);
        Assert.NotEqual(key, other);
    }

    private static long AllocatedBy(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
