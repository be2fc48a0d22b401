using Dapper;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.Routing;

namespace OrmPerf.IntegrationTests.Routing;

/// <summary>
/// A caller that blocks on the router from a single-threaded synchronization context (a UI thread, classic ASP.NET)
/// does not deadlock: a write, a read that must see it, and a routed open never need that context.
/// </summary>
public sealed class RoutingBlockingCallerTests(TestServers servers)
{
    [Fact]
    public async Task A_write_and_reads_that_must_see_it_complete_for_a_caller_that_blocks_its_own_context()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL)");
        await servers.WaitForReplicaAsync();
        await using var host = await RoutingHost.StartAsync(schema.Primary, o => o.Replicas.Add(new() { Name = "replica-blocking", ConnectionString = schema.Replica }));
        await using var scope = host.NewScope();

        var reads = await BlockingCaller.RunAsync(() =>
        {
            scope.Router.ExecuteAsync("INSERT INTO note VALUES (1, 'written')").GetAwaiter().GetResult();
            var queried = scope.Router.QueryAsync<string>("SELECT body FROM note WHERE id = 1").GetAwaiter().GetResult().Single();
            using var connection = scope.Router.OpenConnectionAsync(Intent.Read).AsTask().GetAwaiter().GetResult();
            return (queried, connection.QuerySingle<string>("SELECT body FROM note WHERE id = 1"));
        }).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(("written", "written"), reads);
    }
}
