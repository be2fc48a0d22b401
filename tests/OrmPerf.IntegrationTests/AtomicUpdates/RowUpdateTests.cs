using Dapper;
using Npgsql;
using OrmPerf.AtomicUpdates;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.AtomicUpdates;

/// <summary>Single-statement partial updates on the real primary, under concurrency.</summary>
public sealed class RowUpdateTests(TestServers servers)
{
    private const int Writers = 50;
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Concurrent_increments_and_json_path_updates_lose_nothing()
    {
        await using var schema = await CreateAccountsAsync();
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary + ";Maximum Pool Size=10");

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(async i =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(_cancellation);
            await RowUpdate.Of("accounts", "id", 1L)
                .Increment("hits")
                .SetJsonPath("profile", ["flags", $"f{i}"], "true")
                .ThrowWhenNoRowChanged()
                .ExecuteAsync(connection, cancellationToken: _cancellation);
        }));

        await using var reader = await dataSource.OpenConnectionAsync(_cancellation);
        var (hits, flags, name) = await reader.QuerySingleAsync<(long, int, string)>(
            "SELECT hits, (SELECT count(*)::int FROM jsonb_object_keys(profile -> 'flags')), profile ->> 'name' FROM accounts WHERE id = 1");
        Assert.Equal(Writers, hits);
        Assert.Equal(Writers, flags);
        Assert.Equal("Ada", name);
    }

    [Fact]
    public async Task A_stale_version_is_detected_and_only_the_given_columns_change()
    {
        await using var schema = await CreateAccountsAsync();
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        await using var connection = await dataSource.OpenConnectionAsync(_cancellation);

        var first = await RowUpdate.Of("accounts", "id", 1L).Set("email", "ada@new.test").WithVersion("version", 1)
            .ExecuteAsync(connection, cancellationToken: _cancellation);
        var stale = await RowUpdate.Of("accounts", "id", 1L).Set("email", "lost@new.test").WithVersion("version", 1)
            .ExecuteAsync(connection, cancellationToken: _cancellation);
        var error = await Assert.ThrowsAsync<RowNotUpdatedException>(() => RowUpdate.Of("accounts", "id", 1L)
            .Set("email", "lost@new.test").WithVersion("version", 1).ThrowWhenNoRowChanged()
            .ExecuteAsync(connection, cancellationToken: _cancellation));

        Assert.Equal(new RowUpdateResult(true, 2), first);
        Assert.Equal(new RowUpdateResult(false, null), stale);
        Assert.Contains("optimistic concurrency", error.Message);
        var row = await connection.QuerySingleAsync<(string, long, int)>("SELECT email, hits, version FROM accounts WHERE id = 1");
        Assert.Equal(("ada@new.test", 0L, 2), row);
    }

    [Fact]
    public async Task A_missing_row_reports_no_change_or_throws_when_asked()
    {
        await using var schema = await CreateAccountsAsync();
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        await using var connection = await dataSource.OpenConnectionAsync(_cancellation);

        var result = await RowUpdate.Of("accounts", "id", 99L).Increment("hits").ExecuteAsync(connection, cancellationToken: _cancellation);
        var error = await Assert.ThrowsAsync<RowNotUpdatedException>(() =>
            RowUpdate.Of("accounts", "id", 99L).Increment("hits").ThrowWhenNoRowChanged().ExecuteAsync(connection, cancellationToken: _cancellation));

        Assert.False(result.Changed);
        Assert.Contains("accounts", error.Message);
    }

    private async Task<TestSchema> CreateAccountsAsync()
    {
        var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("""
            CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, hits bigint NOT NULL DEFAULT 0,
                                   profile jsonb, version int NOT NULL DEFAULT 1);
            INSERT INTO accounts (id, email, profile) VALUES (1, 'ada@example.test', '{"name": "Ada", "flags": {}}');
            """);
        return schema;
    }
}
