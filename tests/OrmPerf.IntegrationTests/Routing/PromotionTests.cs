using System.Diagnostics;
using Dapper;
using Npgsql;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.Routing;

namespace OrmPerf.IntegrationTests.Routing;

/// <summary>
/// A failover drill on servers of the test's own (<c>eng/services.sh</c>): the primary is stopped and the replica
/// promoted (<c>pg_ctl promote</c>) while a request reads continuously through the router.
/// </summary>
[Collection(ServerFaultsCollection.Name)]
public sealed class PromotionTests(TestServers servers)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task With_the_primary_given_as_two_hosts_reads_never_fail_and_writes_resume_on_the_promoted_replica()
    {
        await using var set = await servers.CreateIsolatedServersAsync();
        await PrepareAsync(set);
        // The primary as the user gives it for failover: the primary, then the replica that may be promoted.
        var primary = new NpgsqlConnectionStringBuilder(set.Primary)
        {
            Host = $"127.0.0.1:{set.PrimaryPort},127.0.0.1:{set.ReplicaPort}",
            TargetSessionAttributes = "read-write",
            HostRecheckSeconds = 1,
        }.ConnectionString;
        await using var host = await RoutingHost.StartAsync(primary, o => o.Replicas.Add(new() { Name = "replica-promoted", ConnectionString = set.Replica }));
        await using var reading = host.NewScope();
        await RoutingProbe.WaitUntilReadsLandOnReplicaAsync(reading.Router, onReplica: true, Deadline);

        var drill = await FailOverAsync(set, reading.Router, async () =>
        {
            // Writes resume once Npgsql rechecks the hosts and the probe has seen the promotion.
            var clock = Stopwatch.StartNew();
            while (true)
            {
                await using var writing = host.NewScope();
                try
                {
                    await writing.Router.ExecuteAsync("INSERT INTO drill (written_by) VALUES ('after promotion')", cancellationToken: TestContext.Current.CancellationToken);
                    return clock.Elapsed;
                }
                catch (NpgsqlException) when (clock.Elapsed < Deadline)
                {
                    await Task.Delay(100, TestContext.Current.CancellationToken);
                }
            }
        });

        await using var after = host.NewScope();
        for (var i = 0; i < 10; i++)
        {
            await after.Router.ExecuteAsync("INSERT INTO drill (written_by) VALUES ('after promotion')", cancellationToken: TestContext.Current.CancellationToken);
        }

        var writtenOn = (await after.Router.QueryAsync<int>("SELECT inet_server_port()", intent: Intent.Write, cancellationToken: TestContext.Current.CancellationToken)).Single();
        Assert.Equal(set.ReplicaPort, writtenOn);
        // Read-your-writes in the writing scope: the promoted server has the scope's writes.
        var rows = (await after.Router.QueryAsync<long>("SELECT count(*) FROM drill WHERE written_by = 'after promotion'", cancellationToken: TestContext.Current.CancellationToken)).Single();
        Assert.Equal(11, rows);
        Assert.Empty(drill.FailedAfterPromotion);
        Assert.True(drill.SucceededAfterPromotion > 0, "No read ran after the promotion.");
    }

    [Fact]
    public async Task With_a_single_host_primary_reads_survive_the_promotion_and_writes_fail_until_the_primary_is_reconfigured()
    {
        await using var set = await servers.CreateIsolatedServersAsync();
        await PrepareAsync(set);
        await using var host = await RoutingHost.StartAsync(set.Primary, o => o.Replicas.Add(new() { Name = "replica-promoted", ConnectionString = set.Replica }));
        await using var reading = host.NewScope();
        await RoutingProbe.WaitUntilReadsLandOnReplicaAsync(reading.Router, onReplica: true, Deadline);

        var drill = await FailOverAsync(set, reading.Router, async () =>
        {
            // The documented answer: a single host cannot follow the failover, so every write fails, clearly.
            for (var i = 0; i < 5; i++)
            {
                await using var writing = host.NewScope();
                await Assert.ThrowsAnyAsync<NpgsqlException>(() =>
                    writing.Router.ExecuteAsync("INSERT INTO drill (written_by) VALUES ('after promotion')", cancellationToken: TestContext.Current.CancellationToken));
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }

            return TimeSpan.Zero;
        });

        Assert.Empty(drill.FailedAfterPromotion);
        Assert.True(drill.SucceededAfterPromotion > 0, "No read ran after the promotion.");
        // The promoted server has the data the primary had replicated.
        var rows = (await reading.Router.QueryAsync<long>("SELECT count(*) FROM drill", cancellationToken: TestContext.Current.CancellationToken)).Single();
        Assert.Equal(1, rows);
    }

    private static async Task PrepareAsync(IsolatedServers set)
    {
        string written;
        await using (var connection = new NpgsqlConnection(set.Primary))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await connection.ExecuteAsync("CREATE TABLE drill (id bigserial PRIMARY KEY, written_by text NOT NULL); INSERT INTO drill (written_by) VALUES ('before')");
            written = await connection.ExecuteScalarAsync<string>("SELECT pg_current_wal_lsn()::text") ?? throw new InvalidOperationException("No WAL position.");
        }

        await using var replica = new NpgsqlConnection(set.Replica);
        await replica.OpenAsync(TestContext.Current.CancellationToken);
        var clock = Stopwatch.StartNew();
        while (!await replica.ExecuteScalarAsync<bool>("SELECT pg_last_wal_replay_lsn() >= @written::pg_lsn", new { written }))
        {
            Assert.True(clock.Elapsed < Deadline, "The replica did not replay the drill table.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Stops the primary and promotes the replica while reading continuously, runs <paramref name="afterPromotion"/>, then reads a while longer.</summary>
    private static async Task<DrillResult> FailOverAsync(IsolatedServers set, IConnectionRouter router, Func<Task<TimeSpan>> afterPromotion)
    {
        var promoted = false;
        var (succeededAfter, failedAfter) = (0, new List<Exception>());
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                var afterIt = Volatile.Read(ref promoted);
                try
                {
                    _ = (await router.QueryAsync<long>("SELECT count(*) FROM drill", cancellationToken: CancellationToken.None)).Single();
                    succeededAfter += afterIt ? 1 : 0;
                }
                catch (Exception e) when (afterIt)
                {
                    failedAfter.Add(e);
                }
                catch (Exception)
                {
                    // Before the promotion has completed, the drill is still under way; only afterwards must reads not fail.
                }

                await Task.Delay(10, CancellationToken.None);
            }
        });

        await set.ControlAsync("stop", "primary");
        await set.ControlAsync("promote", "replica");
        Volatile.Write(ref promoted, true);
        await afterPromotion();
        // Reads keep running past the next probes, which now see the promoted server.
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await reader;
        return new DrillResult(succeededAfter, failedAfter);
    }

    private sealed record DrillResult(int SucceededAfterPromotion, List<Exception> FailedAfterPromotion);
}
