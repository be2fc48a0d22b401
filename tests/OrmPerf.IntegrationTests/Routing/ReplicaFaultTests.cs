using System.Diagnostics;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.Routing;
using OrmPerf.Routing.Consistency;
using OrmPerf.Routing.Diagnostics;

namespace OrmPerf.IntegrationTests.Routing;

/// <summary>Routing while the replica is stopped or its replay paused: reads never fail while the primary is up.</summary>
[Collection(ServerFaultsCollection.Name)]
public sealed class ReplicaFaultTests(TestServers servers)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Reads_keep_succeeding_on_the_primary_while_the_replica_is_stopped_and_return_when_it_starts()
    {
        using var meters = new RoutingMeterRecorder();
        await using var host = await RoutingHost.StartAsync(servers.Primary, o => o.Replicas.Add(new() { Name = "replica-stop", ConnectionString = servers.Replica }));
        await using var scope = host.NewScope();
        var router = scope.Router;
        await RoutingProbe.WaitUntilReadsLandOnReplicaAsync(router, onReplica: true, Deadline);

        using var stopReading = new CancellationTokenSource();
        var reader = ReadContinuouslyAsync(router, stopReading.Token);
        var stopped = false;
        try
        {
            await servers.ControlAsync("stop", "replica");
            stopped = true;
            await RoutingProbe.WaitUntilReadsLandOnReplicaAsync(router, onReplica: false, Deadline);

            await servers.ControlAsync("start", "replica");
            stopped = false;
            await RoutingProbe.WaitUntilReadsLandOnReplicaAsync(router, onReplica: true, Deadline);
        }
        finally
        {
            if (stopped)
            {
                await servers.ControlAsync("start", "replica");
            }

            await stopReading.CancelAsync();
        }

        var (succeeded, onPrimary, failed) = await reader;
        Assert.Empty(failed);
        Assert.True(onPrimary > 0, $"No read landed on the primary while the replica was down ({succeeded} reads).");
        Assert.True(meters.Total(RoutingDiagnostics.Fallbacks) > 0);
        Assert.Equal(0, meters.Gauge(RoutingDiagnostics.CircuitState, "replica-stop"));
    }

    [Fact]
    public async Task A_paused_replica_is_excluded_past_the_lag_limit_and_token_reads_use_the_primary_until_it_catches_up()
    {
        using var meters = new RoutingMeterRecorder();
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL); CREATE TABLE churn (id serial PRIMARY KEY)");
        await servers.WaitForReplicaAsync();
        var maxLag = TimeSpan.FromSeconds(1);
        await using var host = await RoutingHost.StartAsync(schema.Primary, o =>
        {
            o.Replicas.Add(new() { Name = "replica-pause", ConnectionString = schema.Replica });
            o.MaxReplicaLag = maxLag;
        });
        await using (var warmUp = host.NewScope())
        {
            await RoutingProbe.WaitUntilReadsLandOnReplicaAsync(warmUp.Router, onReplica: true, Deadline);
        }

        await using var replica = new NpgsqlConnection(schema.Replica);
        await replica.OpenAsync(TestContext.Current.CancellationToken);
        using var stopWriting = new CancellationTokenSource();
        Task? churn = null;
        try
        {
            await replica.ExecuteAsync("SELECT pg_wal_replay_pause()");

            string tokenText;
            // The replica falls behind with this write: its lag, and so the time to exclusion, counts from here.
            var sinceFirstWrite = Stopwatch.StartNew();
            await using (var writer = host.NewScope())
            {
                await writer.Router.ExecuteAsync("INSERT INTO note VALUES (1, 'mine')", cancellationToken: TestContext.Current.CancellationToken);
                tokenText = (await writer.Router.GetConsistencyTokenAsync(TestContext.Current.CancellationToken))!.Value.ToString();
                // Read-your-writes at once, long before the lag limit: the replica has not replayed the insert.
                Assert.Equal("mine", await ReadNoteAsync(writer.Router, expectOnReplica: false));
            }

            // A later request carries the token as text, in a new scope.
            await using (var later = host.NewScope())
            {
                later.Router.Require(ConsistencyToken.Parse(tokenText));
                Assert.Equal("mine", await ReadNoteAsync(later.Router, expectOnReplica: false));
            }

            // Without new WAL a paused replica is not behind; writes make it fall behind, past the limit.
            churn = WriteContinuouslyAsync(schema.Primary, stopWriting.Token);
            await using var plain = host.NewScope();
            await RoutingProbe.WaitUntilReadsLandOnReplicaAsync(plain.Router, onReplica: false, Deadline);
            var excludedAfter = sinceFirstWrite.Elapsed;
            Assert.True(meters.Gauge(RoutingDiagnostics.ReplicaLagBytes, "replica-pause") > 0);
            Assert.True(meters.Gauge(RoutingDiagnostics.ReplicaLag, "replica-pause") >= maxLag.TotalSeconds);
            Assert.True(excludedAfter >= maxLag - TimeSpan.FromMilliseconds(200), $"Excluded {excludedAfter} after the first write, before the lag limit {maxLag}.");

            await stopWriting.CancelAsync();
            await churn;
            await replica.ExecuteAsync("SELECT pg_wal_replay_resume()");
            await servers.WaitForReplicaAsync();

            await using var afterResume = host.NewScope();
            afterResume.Router.Require(ConsistencyToken.Parse(tokenText));
            await RoutingProbe.WaitUntilReadsLandOnReplicaAsync(afterResume.Router, onReplica: true, Deadline);
            Assert.Equal("mine", await ReadNoteAsync(afterResume.Router, expectOnReplica: true));
        }
        finally
        {
            await stopWriting.CancelAsync();
            if (churn is not null)
            {
                await churn;
            }

            await replica.ExecuteAsync("SELECT pg_wal_replay_resume()");
        }
    }

    [Fact]
    public async Task A_write_made_outside_the_router_and_noted_is_read_back_while_the_replica_has_not_replayed_it()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL)");
        await servers.WaitForReplicaAsync();
        await using var host = await RoutingHost.StartAsync(schema.Primary, o => o.Replicas.Add(new() { Name = "replica-noted", ConnectionString = schema.Replica }));
        await using var replica = new NpgsqlConnection(schema.Replica);
        await replica.OpenAsync(TestContext.Current.CancellationToken);
        try
        {
            await replica.ExecuteAsync("SELECT pg_wal_replay_pause()");
            // Committed on the primary by something the router does not see (another library's connection).
            await schema.ExecuteAsync("INSERT INTO note VALUES (1, 'outside')");
            await using var primary = new NpgsqlConnection(schema.Primary);
            var committedBy = NpgsqlLogSequenceNumber.Parse((await primary.ExecuteScalarAsync<string>("SELECT pg_current_wal_lsn()::text"))!);
            await using var scope = host.NewScope();
            Assert.Equal("(no row)", await ReadNoteAsync(scope.Router, expectOnReplica: true));

            scope.Router.NoteWrite();

            Assert.Equal("outside", await ReadNoteAsync(scope.Router, expectOnReplica: false));
            var token = await scope.Router.GetConsistencyTokenAsync(TestContext.Current.CancellationToken);
            Assert.True(token?.WalPosition >= committedBy, $"The token {token} does not cover the write, committed by {committedBy}.");
        }
        finally
        {
            await replica.ExecuteAsync("SELECT pg_wal_replay_resume()");
        }
    }

    private static async Task<string> ReadNoteAsync(IConnectionRouter router, bool expectOnReplica)
    {
        await using var connection = await router.OpenConnectionAsync(Intent.Read, TestContext.Current.CancellationToken);
        Assert.Equal(expectOnReplica, await connection.ExecuteScalarAsync<bool>("SELECT pg_is_in_recovery()"));
        return await connection.ExecuteScalarAsync<string>("SELECT body FROM note WHERE id = 1") ?? "(no row)";
    }

    private static async Task WriteContinuouslyAsync(string primary, CancellationToken stop)
    {
        await using var connection = new NpgsqlConnection(primary);
        await connection.OpenAsync(CancellationToken.None);
        while (!stop.IsCancellationRequested)
        {
            await connection.ExecuteAsync("INSERT INTO churn DEFAULT VALUES");
            await Task.Delay(20, CancellationToken.None);
        }
    }

    private static async Task<(int Succeeded, int OnPrimary, List<Exception> Failed)> ReadContinuouslyAsync(IConnectionRouter router, CancellationToken stop)
    {
        var (succeeded, onPrimary, failed) = (0, 0, new List<Exception>());
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested && clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            try
            {
                var onReplica = (await router.QueryAsync<bool>("SELECT pg_is_in_recovery()", cancellationToken: CancellationToken.None)).Single();
                succeeded++;
                onPrimary += onReplica ? 0 : 1;
            }
            catch (Exception e)
            {
                failed.Add(e);
            }

            await Task.Delay(10, CancellationToken.None);
        }

        return (succeeded, onPrimary, failed);
    }
}
