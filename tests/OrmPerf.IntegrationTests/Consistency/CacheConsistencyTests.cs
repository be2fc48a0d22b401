using System.Diagnostics;
using Dapper;
using Npgsql;
using OrmPerf.AtomicUpdates;
using OrmPerf.Caching;
using OrmPerf.IntegrationTests.Batching;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.IntegrationTests.Routing;

namespace OrmPerf.IntegrationTests.Consistency;

/// <summary>
/// The cache, the router and the writers together on the real primary + replica (+ Redis), with the replica's replay
/// paused (<c>pg_wal_replay_pause()</c>): a plain cache over the replica would serve and store the pre-write value.
/// </summary>
[Collection(ServerFaultsCollection.Name)]
public sealed class CacheConsistencyTests(TestServers servers)
{
    private const string ReadPrice = "SELECT amount FROM price WHERE id = 1";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_a_write_and_its_invalidation_another_scopes_cached_read_gets_the_new_value_and_keeps_it()
    {
        await using var schema = await PrepareAsync();
        await using var node = await ConsistentNode.StartAsync(schema);
        await WarmUpAsync(node);
        Assert.Equal(100, await CachedPriceAsync(node));

        await WithReplayPausedAsync(schema, async replica =>
        {
            await using (var writer = node.NewScope())
            {
                await writer.Router.ExecuteAsync("UPDATE price SET amount = 200 WHERE id = 1", cancellationToken: Cancellation);
                await node.Cache.InvalidateTablesAsync(["price"], Cancellation);
            }

            // What a plain cache over the replica would read and store for its whole lifetime.
            Assert.Equal(100, await replica.ExecuteScalarAsync<int>(ReadPrice));
            Assert.Equal(200, await CachedPriceAsync(node));
            // Stored, and stored with the new value: later scopes hit it.
            Assert.Equal(200, await CachedPriceAsync(node));
            Assert.Equal(200, await CachedPriceAsync(node));
        });
    }

    [Fact]
    public async Task A_batch_writer_commit_carries_its_position_so_the_next_cached_read_of_any_scope_includes_the_row()
    {
        await using var schema = await PrepareAsync();
        await using var node = await ConsistentNode.StartAsync(schema);
        await WarmUpAsync(node);
        const string count = "SELECT count(*) FROM order_event";
        await using (var before = node.NewScope())
        {
            Assert.Equal(0, await before.Router.ReadDataSource.QuerySingleOrDefaultCachedAsync<long>(node.Cache, count, cancellationToken: Cancellation));
        }

        await WithReplayPausedAsync(schema, async replica =>
        {
            // No NoteWrite, no invalidation by hand: the commit reports itself through ITableChangeListener.
            await node.Writer.WriteAsync(OrderEvent.Good(1), Cancellation);

            Assert.Equal(0, await replica.ExecuteScalarAsync<long>(count));
            await using var other = node.NewScope();
            Assert.Equal(1, await other.Router.ReadDataSource.QuerySingleOrDefaultCachedAsync<long>(node.Cache, count, cancellationToken: Cancellation));
        });
    }

    [Fact]
    public async Task A_token_holder_is_never_served_an_entry_read_before_its_token()
    {
        await using var schema = await PrepareAsync();
        await using var node = await ConsistentNode.StartAsync(schema);
        await WarmUpAsync(node);
        Assert.Equal(100, await CachedPriceAsync(node));

        await WithReplayPausedAsync(schema, async replica =>
        {
            await using var writer = node.NewScope();
            // A write nobody invalidates the cache for: only the token says the entry is too old for this scope.
            await writer.Router.ExecuteAsync("UPDATE price SET amount = 300 WHERE id = 1", cancellationToken: Cancellation);

            Assert.Equal(300, await writer.Router.ReadDataSource.QuerySingleOrDefaultCachedAsync<int>(node.Cache, ReadPrice, cancellationToken: Cancellation));
            var token = await writer.Router.GetConsistencyTokenAsync(Cancellation);
            await using var later = node.NewScope();
            later.Router.Require(token!.Value);
            Assert.Equal(300, await later.Router.ReadDataSource.QuerySingleOrDefaultCachedAsync<int>(node.Cache, ReadPrice, cancellationToken: Cancellation));
        });
    }

    [Fact]
    public async Task A_fill_started_before_a_write_is_not_joined_by_a_scope_that_needs_the_write_nor_stored_over_its_result()
    {
        await using var schema = await PrepareAsync();
        await using var node = await ConsistentNode.StartAsync(schema);
        await WarmUpAsync(node);
        const string slowRead = "SELECT amount FROM price, pg_sleep(1.5) WHERE id = 1";

        await WithReplayPausedAsync(schema, async replica =>
        {
            // The first scope's fill reads the paused replica for a while.
            await using var early = node.NewScope();
            var earlyRead = early.Router.ReadDataSource.QuerySingleOrDefaultCachedAsync<int>(node.Cache, slowRead, cancellationToken: Cancellation).AsTask();
            await Task.Delay(300, Cancellation);

            await using var writer = node.NewScope();
            await writer.Router.ExecuteAsync("UPDATE price SET amount = 400 WHERE id = 1", cancellationToken: Cancellation);
            var own = await writer.Router.ReadDataSource.QuerySingleOrDefaultCachedAsync<int>(node.Cache, slowRead, cancellationToken: Cancellation);

            Assert.Equal(400, own);
            Assert.Equal(100, await earlyRead);
            // The early fill finished last with older data: it must not have replaced the newer entry.
            await using var reader = node.NewScope();
            Assert.Equal(400, await reader.Router.ReadDataSource.QuerySingleOrDefaultCachedAsync<int>(node.Cache, slowRead, cancellationToken: Cancellation));
        });
    }

    [Fact]
    public async Task An_invalidation_from_another_node_carries_its_position_through_the_backplane()
    {
        await using var schema = await PrepareAsync();
        var prefix = $"consistency-{Guid.NewGuid():N}:";
        await using var writing = await ConsistentNode.StartAsync(schema, servers.Redis, prefix);
        await using var reading = await ConsistentNode.StartAsync(schema, servers.Redis, prefix);
        await WarmUpAsync(writing);
        await WarmUpAsync(reading);
        Assert.Equal(100, await CachedPriceAsync(reading));
        Assert.Equal(100, await CachedPriceAsync(writing));

        await WithReplayPausedAsync(schema, async replica =>
        {
            await using (var writer = writing.NewScope())
            {
                await writer.Router.ExecuteAsync("UPDATE price SET amount = 500 WHERE id = 1", cancellationToken: Cancellation);
                await writing.Cache.InvalidateTablesAsync(["price"], Cancellation);
            }

            // Until the message arrives the reading node serves its entry; then its fill demands the write's position
            // (the primary). Without the position it would read the paused replica and keep 100 for the whole TTL.
            await Poll.UntilAsync(() => new ValueTask<int>(CachedPriceAsync(reading)), 500, Deadline);
            Assert.Equal(500, await CachedPriceAsync(reading));
        });
    }

    [Fact]
    public async Task A_RowUpdate_on_the_routed_write_data_source_is_the_scopes_write_and_its_Dapper_reads_see_it()
    {
        await using var schema = await PrepareAsync();
        await using var node = await ConsistentNode.StartAsync(schema);
        await WarmUpAsync(node);

        await WithReplayPausedAsync(schema, async replica =>
        {
            await using var scope = node.NewScope();
            await using (var write = await scope.Router.WriteDataSource.OpenConnectionAsync(Cancellation))
            {
                var result = await RowUpdate.Of("price", "id", 1).Set("amount", 600).ExecuteAsync(write, cancellationToken: Cancellation);
                Assert.True(result.Changed);
            }

            Assert.Equal(100, await replica.ExecuteScalarAsync<int>(ReadPrice));
            await using var read = await scope.Router.ReadDataSource.OpenConnectionAsync(Cancellation);
            Assert.Equal(600, await read.ExecuteScalarAsync<int>(ReadPrice));
            Assert.NotNull(await scope.Router.GetConsistencyTokenAsync(Cancellation));
        });
    }

    [Fact]
    public async Task A_RowUpdate_through_the_routed_write_source_reaches_the_cache_with_its_position_without_an_invalidation_call()
    {
        await using var schema = await PrepareAsync();
        await using var node = await ConsistentNode.StartAsync(schema);
        await WarmUpAsync(node);
        Assert.Equal(100, await CachedPriceAsync(node));

        await WithReplayPausedAsync(schema, async replica =>
        {
            await using (var writer = node.NewScope())
            {
                // No InvalidateTablesAsync, no [InvalidatesCache]: the update reports its table and commit position itself.
                await using var write = await writer.Router.WriteDataSource.OpenConnectionAsync(Cancellation);
                Assert.True((await RowUpdate.Of("price", "id", 1).Set("amount", 700).ExecuteAsync(write, cancellationToken: Cancellation)).Changed);
            }

            Assert.Equal(100, await replica.ExecuteScalarAsync<int>(ReadPrice));
            // The entry of 100 is dropped, and the fill demands the update's position: the paused replica cannot serve
            // it, so it reads the primary; without the position it would read the replica and store 100 again.
            Assert.Equal(700, await CachedPriceAsync(node));
            Assert.Equal(700, await CachedPriceAsync(node));
        });
    }

    [Fact]
    public async Task A_router_ExecuteAsync_write_reaches_the_cache_with_its_position_without_an_invalidation_call()
    {
        await using var schema = await PrepareAsync();
        await using var node = await ConsistentNode.StartAsync(schema);
        await WarmUpAsync(node);
        Assert.Equal(100, await CachedPriceAsync(node));

        await WithReplayPausedAsync(schema, async replica =>
        {
            await using (var writer = node.NewScope())
            {
                await writer.Router.ExecuteAsync("UPDATE price SET amount = 800 WHERE id = 1", cancellationToken: Cancellation);
            }

            Assert.Equal(100, await replica.ExecuteScalarAsync<int>(ReadPrice));
            Assert.Equal(800, await CachedPriceAsync(node));
            Assert.Equal(800, await CachedPriceAsync(node));
        });
    }

    [Fact]
    public async Task An_awaited_batch_write_is_the_scopes_write_so_its_uncached_routed_reads_see_the_row_without_NoteWrite()
    {
        await using var schema = await PrepareAsync();
        await using var node = await ConsistentNode.StartAsync(schema);
        await WarmUpAsync(node);
        const string count = "SELECT count(*) FROM order_event";

        await WithReplayPausedAsync(schema, async replica =>
        {
            await using (var scope = node.NewScope())
            {
                await node.Writer.WriteAsync(OrderEvent.Good(1), Cancellation);

                Assert.Equal(0, await replica.ExecuteScalarAsync<long>(count));
                Assert.Equal(1, (await scope.Router.QueryAsync<long>(count, cancellationToken: Cancellation)).Single());
                await using var read = await scope.Router.ReadDataSource.OpenConnectionAsync(Cancellation);
                Assert.Equal(1, await read.ExecuteScalarAsync<long>(count));
            }

            await using (var importing = node.NewScope())
            {
                Assert.Equal(3, await node.Writer.WriteManyAsync([OrderEvent.Good(2), OrderEvent.Good(3), OrderEvent.Good(4)], cancellationToken: Cancellation));
                Assert.Equal(4, (await importing.Router.QueryAsync<long>(count, cancellationToken: Cancellation)).Single());
                Assert.NotNull(await importing.Router.GetConsistencyTokenAsync(Cancellation));
            }
        });
    }

    [Fact]
    public async Task The_position_a_batch_commit_reports_is_at_or_after_its_commit_record()
    {
        await using var schema = await PrepareAsync();
        await using var node = await ConsistentNode.StartAsync(schema);
        await using var primary = new NpgsqlConnection(schema.Primary);
        await primary.OpenAsync(Cancellation);
        await primary.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS pg_walinspect SCHEMA public");
        var start = await primary.ExecuteScalarAsync<string>("SELECT pg_current_wal_flush_lsn()::text");

        await using var scope = node.NewScope();
        await node.Writer.WriteAsync(OrderEvent.Good(1), Cancellation);
        var reported = (await scope.Router.GetConsistencyTokenAsync(Cancellation))!.Value.WalPosition;

        // The commit record of the row's transaction, read from the WAL itself (pg_walinspect): a replica that has
        // replayed up to the reported position has replayed it.
        var xid = await primary.ExecuteScalarAsync<string>("SELECT xmin::text FROM order_event WHERE id = 1");
        await primary.ExecuteAsync("SELECT pg_switch_wal()"); // so the records are flushed and readable
        var commitEnd = await primary.ExecuteScalarAsync<string?>(
            "SELECT max(end_lsn)::text FROM public.pg_get_wal_records_info_till_end_of_wal(@start::pg_lsn) WHERE resource_manager = 'Transaction' AND record_type = 'COMMIT' AND xid::text = @xid",
            new { start, xid });
        Assert.NotNull(commitEnd);
        Assert.True(NpgsqlTypes.NpgsqlLogSequenceNumber.Parse(commitEnd) <= reported, $"commit record ends at {commitEnd}, reported {reported}");
    }

    private async Task<TestSchema> PrepareAsync()
    {
        var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync($"CREATE TABLE price (id int PRIMARY KEY, amount int NOT NULL); INSERT INTO price VALUES (1, 100); {OrderEvent.CreateTable}");
        await servers.WaitForReplicaAsync();
        return schema;
    }

    private static async Task WarmUpAsync(ConsistentNode node)
    {
        await using var scope = node.NewScope();
        await RoutingProbe.WaitUntilReadsLandOnReplicaAsync(scope.Router, onReplica: true, Deadline);
    }

    /// <summary>Runs <paramref name="test"/> with the replica's replay paused (given its connection), and resumes replay after.</summary>
    private static async Task WithReplayPausedAsync(TestSchema schema, Func<NpgsqlConnection, Task> test)
    {
        await using var replica = new NpgsqlConnection(schema.Replica);
        await replica.OpenAsync(Cancellation);
        await replica.ExecuteAsync("SELECT pg_wal_replay_pause()");
        try
        {
            await test(replica);
        }
        finally
        {
            await replica.ExecuteAsync("SELECT pg_wal_replay_resume()");
        }
    }

    /// <summary>The price read by a new scope (a new request) through its router's read data source and the cache.</summary>
    private static async Task<int> CachedPriceAsync(ConsistentNode node)
    {
        await using var scope = node.NewScope();
        return await scope.Router.ReadDataSource.QuerySingleOrDefaultCachedAsync<int>(node.Cache, ReadPrice, cancellationToken: Cancellation);
    }
}
