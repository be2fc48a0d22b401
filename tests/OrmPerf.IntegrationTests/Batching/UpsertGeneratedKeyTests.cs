using Dapper;
using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>
/// An upsert keyed on a natural key (the email) leaves the generated id to the table and tells every row the id it is
/// stored under: a new row its new id, an existing row the id it always had.
/// </summary>
public sealed class UpsertGeneratedKeyTests(TestServers servers)
{
    private const string CreateTable =
        "CREATE TABLE member (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL CHECK (name <> ''))";

    private sealed class Member
    {
        public long Id { get; set; }

        public string Email { get; init; } = "";

        public string Name { get; init; } = "";
    }

    [Theory]
    [InlineData(WriteMode.Upsert, 0, "new")]
    [InlineData(WriteMode.Upsert, 1_000, "new")]
    [InlineData(WriteMode.InsertOrIgnore, 0, "old")]
    [InlineData(WriteMode.InsertOrIgnore, 1_000, "old")]
    public async Task New_rows_get_their_new_id_and_existing_rows_the_id_they_had_through_copy_or_one_statement(
        WriteMode mode, int smallBatchInsertLimit, string existingName)
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync(CreateTable + "; INSERT INTO member (email, name) SELECT 'm' || i || '@example.com', 'old' FROM generate_series(1, 3) i");
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<Member>(dataSource, Map(schema), new BatchWriterOptions { Mode = mode, SmallBatchInsertLimit = smallBatchInsertLimit });
        var before = await StoredAsync(schema);
        // Members 2 and 3 exist; 4 to 200 are new. A stale id on a row is ignored: the table decides.
        var members = Enumerable.Range(2, 199).Select(i => new Member { Id = i == 2 ? 999 : 0, Email = $"m{i}@example.com", Name = "new" }).ToList();

        Assert.Equal(199, await writer.WriteManyAsync(members, cancellationToken: TestContext.Current.CancellationToken));

        var stored = await StoredAsync(schema);
        Assert.Equal(200, stored.Count);
        Assert.All(members, m => Assert.Equal(stored[m.Email].Id, m.Id));
        Assert.Equal(before["m2@example.com"].Id, members[0].Id);
        Assert.Equal(before["m3@example.com"].Id, members[1].Id);
        Assert.Equal(existingName, stored["m2@example.com"].Name);
        Assert.Equal("old", stored["m1@example.com"].Name);
    }

    [Fact]
    public async Task Concurrent_producers_repeating_emails_each_learn_the_one_id_of_their_email_and_a_bad_row_learns_none()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync(CreateTable);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<Member>(dataSource, Map(schema), new BatchWriterOptions
        {
            Mode = WriteMode.Upsert,
            MaxBatchSize = 50,
            MaxDelay = TimeSpan.FromMilliseconds(5),
        });
        // 16 producers, 40 rows each, over 100 emails: most emails come twice or more, often in one batch.
        var members = Enumerable.Range(0, 16 * 40).Select(i => new Member { Email = $"m{i % 100}@example.com", Name = i == 333 ? "" : "n" + i }).ToList();

        var outcomes = await Task.WhenAll(members.Chunk(40).Select(async own =>
        {
            var rejected = 0;
            foreach (var member in own)
            {
                try
                {
                    await writer.WriteAsync(member, TestContext.Current.CancellationToken);
                }
                catch (RowRejectedException)
                {
                    rejected++;
                }
            }

            return rejected;
        }));

        Assert.Equal(1, outcomes.Sum());
        var stored = await StoredAsync(schema);
        Assert.Equal(100, stored.Count);
        Assert.Equal(0, members[333].Id);
        Assert.All(members.Where((_, i) => i != 333), m => Assert.Equal(stored[m.Email].Id, m.Id));
    }

    [Fact]
    public async Task A_nullable_upsert_key_is_named_at_start()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE member (id bigserial PRIMARY KEY, email text UNIQUE, name text NOT NULL)");
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<Member>(dataSource, Map(schema), new BatchWriterOptions { Mode = WriteMode.Upsert });

        var error = await Assert.ThrowsAsync<TableMapMismatchException>(() => writer.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("key column 'email'", error.Message, StringComparison.Ordinal);
        Assert.Contains("must be NOT NULL", error.Message, StringComparison.Ordinal);
    }

    private static TableMap<Member> Map(TestSchema schema) =>
        new TableMapBuilder<Member>().Table("member", schema.Name).GeneratedKey(m => m.Id).Column(m => m.Email).Column(m => m.Name).Key("email").Build();

    private static async Task<Dictionary<string, (long Id, string Name)>> StoredAsync(TestSchema schema)
    {
        await using var connection = new NpgsqlConnection(schema.Primary);
        return (await connection.QueryAsync<(long Id, string Email, string Name)>("SELECT id, email, name FROM member"))
            .ToDictionary(m => m.Email, m => (m.Id, m.Name));
    }
}
