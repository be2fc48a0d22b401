using Npgsql;

namespace OrmPerf.IntegrationTests.Infrastructure;

/// <summary>
/// A schema of one test's own on the primary, so tests run in parallel without seeing each other's tables.
/// Its connection strings put the schema first on the search path.
/// </summary>
public sealed class TestSchema(TestServers servers, string name) : IAsyncDisposable
{
    /// <summary>The schema's name (lower-case, safe to splice).</summary>
    public string Name { get; } = name;

    /// <summary>The primary's connection string with this schema on the search path.</summary>
    public string Primary => WithSearchPath(servers.Primary);

    /// <summary>The replica's connection string with this schema on the search path.</summary>
    public string Replica => WithSearchPath(servers.Replica);

    /// <summary>Runs SQL on the primary in this schema.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Primary);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Waits until a session whose statement names this schema (a batch writer's COPY or INSERT, say) waits on a lock
    /// that another transaction holds on a table, a row or a transaction; fails after 10 s.
    /// </summary>
    /// <remarks>
    /// Waits for a relation's extension lock (<c>wait_event = 'extend'</c>), which parallel COPY streams into one table
    /// take from each other for a moment, are also of type <c>Lock</c> but are not what a test waits for: counting them
    /// let a test go on before its table lock was taken (seen once in CI).
    /// </remarks>
    public async Task WaitUntilASessionWaitsOnALockAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(servers.Primary);
        await connection.OpenAsync(cancellationToken);
        await using var waiting = new NpgsqlCommand(
            """
            SELECT count(*) FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND wait_event IN ('relation', 'tuple', 'transactionid') AND position(@schema in query) > 0
            """, connection);
        waiting.Parameters.AddWithValue("schema", Name);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((long)(await waiting.ExecuteScalarAsync(cancellationToken))! == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"No session in schema {Name} waited on a lock within 10 s.");
            await Task.Delay(10, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(servers.Primary);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Name} CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }

    private string WithSearchPath(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = Name }.ConnectionString;
}
