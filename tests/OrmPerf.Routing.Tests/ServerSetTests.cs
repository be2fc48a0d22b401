using Npgsql;
using Microsoft.Extensions.DependencyInjection;
using NpgsqlTypes;
using OrmPerf.Connections;
using OrmPerf.Routing.Probing;

namespace OrmPerf.Routing.Tests;

// Data sources connect only when opened, so the choice of replicas is tested without servers.
public sealed class ServerSetTests
{
    private const string ConnectionString = "Host=127.0.0.1;Port=1";

    private static readonly ReplicaHealth Healthy = new(true, true, new NpgsqlLogSequenceNumber(100), TimeSpan.Zero, 0);
    private static readonly ReplicaHealth Behind = new(true, true, new NpgsqlLogSequenceNumber(50), TimeSpan.FromMinutes(10), 0);

    [Theory]
    [InlineData(ReplicaBalancing.RoundRobin)]
    [InlineData(ReplicaBalancing.LeastInFlight)]
    public async Task The_first_candidate_is_the_head_of_the_candidate_list_for_every_turn(ReplicaBalancing balancing)
    {
        await using var servers = Create(balancing, 4);
        servers.Replicas[1].Health = Behind;
        servers.Replicas[2].Health = Healthy with { ReplayPosition = new NpgsqlLogSequenceNumber(80) };
        servers.Replicas[3].Health = Healthy;

        for (var turn = 0; turn < 4; turn++)
        {
            foreach (NpgsqlLogSequenceNumber? position in new NpgsqlLogSequenceNumber?[] { null, new NpgsqlLogSequenceNumber(90), new NpgsqlLogSequenceNumber(200) })
            {
                var list = servers.Candidates(turn, position);
                Assert.Equal(list.FirstOrDefault(), servers.FirstCandidate(turn, position));
            }
        }

        Assert.Equal([servers.Replicas[3], servers.Replicas[0], servers.Replicas[2]], servers.Candidates(3, null));
        Assert.Equal([servers.Replicas[3]], servers.Candidates(0, new NpgsqlLogSequenceNumber(90)));
        Assert.Null(servers.FirstCandidate(0, new NpgsqlLogSequenceNumber(200)));
    }

    [Fact]
    public async Task A_replica_marked_down_is_no_candidate_until_marked_up()
    {
        await using var servers = Create(ReplicaBalancing.RoundRobin, 1);
        var replica = servers.Replicas[0];

        await replica.MarkDownAsync();
        Assert.False(replica.CircuitAdmits);
        Assert.Null(servers.FirstCandidate(servers.NextTurn(), null));
        Assert.Empty(servers.Candidates(servers.NextTurn(), null));

        Assert.True(await replica.MarkUpAsync());
        Assert.True(replica.CircuitAdmits);
        Assert.Same(replica, servers.FirstCandidate(servers.NextTurn(), null));
    }

    private static ServerSet Create(ReplicaBalancing balancing, int replicas)
    {
        var options = new ReadReplicaOptions { Balancing = balancing };
        for (var i = 0; i < replicas; i++)
        {
            options.Replicas.Add(new ReplicaEndpoint { Name = $"replica-{i}", ConnectionString = ConnectionString });
        }

        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = ConnectionString);
        var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IOrmPerfDataSourceFactory>();
        return new ServerSet(options, provider.GetRequiredService<NpgsqlDataSource>(), factory, TimeProvider.System);
    }
}
