namespace OrmPerf.Benchmarks.Batching;

/// <summary>The six-column row (bigint, int, text, numeric, timestamptz, bool) and its table.</summary>
public sealed record BenchRow(long Id, int Quantity, string Note, decimal Amount, DateTime CreatedAt, bool Paid)
{
    public const string Table = "batch_bench";

    public const string Columns = "id, quantity, note, amount, created_at, paid";

    // A normal (logged) table with a primary key, as a service's table would be: every contender pays WAL and the index.
    public const string CreateTable = $"""
        DROP TABLE IF EXISTS {Table};
        CREATE TABLE {Table} (
            id bigint PRIMARY KEY,
            quantity integer NOT NULL,
            note text NOT NULL,
            amount numeric(12,2) NOT NULL,
            created_at timestamptz NOT NULL,
            paid boolean NOT NULL)
        """;

    public static BenchRow[] Generate(int count)
    {
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var rows = new BenchRow[count];
        for (var i = 0; i < count; i++)
        {
            var id = i + 1L;
            rows[i] = new BenchRow(id, (int)(id % 1000), "order note " + id, id % 100_000 / 100m, start.AddSeconds(id), id % 2 == 0);
        }

        return rows;
    }
}
