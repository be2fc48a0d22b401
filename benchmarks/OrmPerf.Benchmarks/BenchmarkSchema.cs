using Npgsql;

namespace OrmPerf.Benchmarks;

/// <summary>Builds and drops a benchmark's own schema on the primary.</summary>
internal static class BenchmarkSchema
{
    /// <summary>
    /// Runs <paramref name="statements"/> one by one on one connection (so a <c>setseed</c> holds for the statements after
    /// it, and <c>VACUUM</c>, which refuses a transaction block, can be one of them), with no command timeout.
    /// </summary>
    public static async Task ExecuteAsync(NpgsqlDataSource dataSource, params string[] statements)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        foreach (var statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Drops <paramref name="schema"/> and everything in it, then creates it empty.</summary>
    public static Task RecreateAsync(NpgsqlDataSource dataSource, string schema) =>
        ExecuteAsync(dataSource, $"DROP SCHEMA IF EXISTS {schema} CASCADE", $"CREATE SCHEMA {schema}");

    /// <summary>Drops <paramref name="schema"/> and everything in it.</summary>
    public static Task DropAsync(NpgsqlDataSource dataSource, string schema) =>
        ExecuteAsync(dataSource, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
}
