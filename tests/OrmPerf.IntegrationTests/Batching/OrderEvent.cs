using Dapper;
using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>The row the batching tests write: the six-column shape, with constraints that bad rows break.</summary>
public sealed record OrderEvent(long Id, int Quantity, string? Note, decimal Amount, DateTime CreatedAt, bool Paid)
{
    public const string CreateTable = """
        CREATE TABLE order_event (
            id bigint PRIMARY KEY,
            quantity integer NOT NULL CHECK (quantity >= 0),
            note text NOT NULL,
            amount numeric(12,2) NOT NULL,
            created_at timestamptz NOT NULL,
            paid boolean NOT NULL)
        """;

    public static OrderEvent Good(long id) =>
        new(id, (int)(id % 100), "note " + id, id % 1000 + 0.25m, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(id), id % 2 == 0);

    public static TableMap<OrderEvent> Map(TestSchema schema) => new TableMapBuilder<OrderEvent>()
        .Table("order_event", schema.Name)
        .Column(e => e.Id)
        .Column(e => e.Quantity)
        .Column(e => e.Note)
        .Column(e => e.Amount)
        .Column(e => e.CreatedAt)
        .Column(e => e.Paid)
        .Key("id")
        .Build();

    public static async Task<TestSchema> CreateSchemaAsync(TestServers servers)
    {
        var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync(CreateTable);
        return schema;
    }

    public static async Task<(long Total, long Distinct)> CountAsync(TestSchema schema)
    {
        await using var connection = new NpgsqlConnection(schema.Primary);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*), count(DISTINCT id) FROM order_event", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>The stored row with <paramref name="id"/>, read back as an <see cref="OrderEvent"/> (timestamps as UTC).</summary>
    public static async Task<OrderEvent> ReadStoredAsync(NpgsqlConnection connection, long id)
    {
        var stored = await connection.QuerySingleAsync<(long, int, string, decimal, DateTime, bool)>(
            "SELECT id, quantity, note, amount, created_at, paid FROM order_event WHERE id = @id", new { id });
        return new OrderEvent(stored.Item1, stored.Item2, stored.Item3, stored.Item4, stored.Item5.ToUniversalTime(), stored.Item6);
    }
}
