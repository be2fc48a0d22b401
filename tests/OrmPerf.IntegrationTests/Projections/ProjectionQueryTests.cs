using System.ComponentModel.DataAnnotations.Schema;
using Dapper;
using Npgsql;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.Projections;

namespace OrmPerf.IntegrationTests.Projections;

/// <summary>Projected, keyset-paginated loads through Dapper on the real primary.</summary>
public sealed class ProjectionQueryTests(TestServers servers)
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Keyset_pages_of_a_projected_dto_cover_every_row_once_in_order()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("""
            CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, bio text NOT NULL, last_login timestamptz NOT NULL);
            INSERT INTO users SELECT g, 'user' || g || '@example.test', repeat('x', 1000), timestamptz '2026-01-01' + (g % 7) * interval '1 hour'
            FROM generate_series(1, 250) g;
            """);
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        await using var connection = await dataSource.OpenConnectionAsync(_cancellation);
        var first = KeysetPagination.PageSql<UserSummary>("users", ["last_login", "id"], afterCursor: false);
        var next = KeysetPagination.PageSql<UserSummary>("users", ["last_login", "id"], afterCursor: true);

        var rows = new List<UserSummary>();
        var page = (await connection.QueryAsync<UserSummary>(first, new { limit = 100 })).ToList();
        while (page.Count > 0)
        {
            rows.AddRange(page);
            var last = page[^1];
            page = (await connection.QueryAsync<UserSummary>(next, new { limit = 100, after_last_login = last.LastLogin, after_id = last.Id })).ToList();
        }

        Assert.Equal(250, rows.Count);
        Assert.Equal(250, rows.Select(r => r.Id).Distinct().Count());
        Assert.Equal(rows.OrderBy(r => r.LastLogin).ThenBy(r => r.Id).Select(r => r.Id), rows.Select(r => r.Id));
        Assert.All(rows, r => Assert.Equal($"user{r.Id}@example.test", r.Address));
    }

    private sealed class UserSummary
    {
        public long Id { get; set; }

        [Column("email")]
        public string Address { get; set; } = "";

        public DateTime LastLogin { get; set; }
    }
}
