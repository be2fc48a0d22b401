using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>The row of the generated-key tests: its id comes from a bigserial column, and seats may not go negative.</summary>
public sealed class Ticket
{
    public const string CreateTable = "CREATE TABLE ticket (id bigserial PRIMARY KEY, title text NOT NULL, seats integer NOT NULL CHECK (seats >= 0))";

    public long Id { get; set; }

    public string Title { get; init; } = "";

    public int Seats { get; init; }

    public static Ticket Numbered(int number) => new() { Title = "ticket " + number, Seats = number % 7 };

    /// <summary>The map; with <paramref name="upsertKey"/> (e.g. <c>title</c>, made unique first), for upserts.</summary>
    public static TableMap<Ticket> Map(TestSchema schema, params string[] upsertKey) =>
        new TableMapBuilder<Ticket>().Table("ticket", schema.Name).GeneratedKey(t => t.Id).Column(t => t.Title).Column(t => t.Seats).Key(upsertKey).Build();

    public static async Task<TestSchema> CreateSchemaAsync(TestServers servers)
    {
        var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync(CreateTable);
        return schema;
    }

    /// <summary>The stored rows, by id.</summary>
    public static async Task<Dictionary<long, string>> StoredAsync(TestSchema schema, string table = "ticket")
    {
        await using var connection = new NpgsqlConnection(schema.Primary);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT id, title FROM {table}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var stored = new Dictionary<long, string>();
        while (await reader.ReadAsync())
        {
            stored.Add(reader.GetInt64(0), reader.GetString(1));
        }

        return stored;
    }

    /// <summary>Asserts that every ticket holds a distinct key, and that the table holds exactly these tickets under their keys.</summary>
    public static async Task AssertStoredUnderTheirKeysAsync(TestSchema schema, IReadOnlyCollection<Ticket> tickets)
    {
        Assert.All(tickets, t => Assert.True(t.Id > 0, $"'{t.Title}' got no key"));
        Assert.Equal(tickets.Count, tickets.Select(t => t.Id).Distinct().Count());
        Assert.Equal(tickets.ToDictionary(t => t.Id, t => t.Title), await StoredAsync(schema));
    }
}
