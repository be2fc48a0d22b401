using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>
/// A caller that blocks on the writer from a single-threaded synchronization context (a UI thread, classic ASP.NET)
/// does not deadlock: the writer never needs that context to finish.
/// </summary>
public sealed class BlockingCallerTests(TestServers servers)
{
    [Fact]
    public async Task An_import_and_a_shutdown_complete_for_a_caller_that_blocks_its_own_context()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema));

        await BlockingCaller.RunAsync(() =>
        {
            writer.WriteManyAsync(Enumerable.Range(1, 2_000).Select(i => OrderEvent.Good(i))).GetAwaiter().GetResult();
            writer.WriteManyAsync(ArrivingLaterAsync(2_001, 2_000)).GetAwaiter().GetResult();
            writer.WriteAsync(OrderEvent.Good(4_001)).GetAwaiter().GetResult();
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return true;
        }).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal((4_001, 4_001), await OrderEvent.CountAsync(schema));
    }

    /// <summary>A source whose rows arrive asynchronously (like a reader's), so the import's loop really waits for them.</summary>
    private static async IAsyncEnumerable<OrderEvent> ArrivingLaterAsync(int first, int count)
    {
        for (var id = first; id < first + count; id++)
        {
            if (id % 500 == 0)
            {
                await Task.Delay(1).ConfigureAwait(false);
            }

            yield return OrderEvent.Good(id);
        }
    }
}
