using Dapper;
using Npgsql;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Connections;

/// <summary>The test servers are what they claim: a primary and a streaming replica of it.</summary>
public sealed class ReplicationTests(TestServers servers)
{
    [Fact]
    public async Task A_write_on_the_primary_is_readable_on_the_replica()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL)");
        await schema.ExecuteAsync("INSERT INTO note VALUES (1, 'written on the primary')");

        await servers.WaitForReplicaAsync();

        await using var replica = new NpgsqlConnection(schema.Replica);
        Assert.True(await replica.ExecuteScalarAsync<bool>("SELECT pg_is_in_recovery()"));
        Assert.Equal("written on the primary", await replica.ExecuteScalarAsync<string>("SELECT body FROM note WHERE id = 1"));
    }

    [Fact]
    public async Task The_primary_is_not_in_recovery_and_the_replica_refuses_writes()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await using var primary = new NpgsqlConnection(schema.Primary);
        await using var replica = new NpgsqlConnection(schema.Replica);

        Assert.False(await primary.ExecuteScalarAsync<bool>("SELECT pg_is_in_recovery()"));
        var error = await Assert.ThrowsAsync<PostgresException>(() => replica.ExecuteAsync("CREATE TABLE nope (id int)"));
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, error.SqlState);
    }
}
