using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Dapper;
using Npgsql;
using OrmPerf.Batching;

namespace OrmPerf.Benchmarks.Batching;

/// <summary>
/// The frame the generated-key benchmarks share: 100,000 rows of the six-column shape whose key the writer may set, a
/// <c>bigserial</c> table created for the run and dropped after it, and the writers under test, disposed after it.
/// One warm-up and five iterations of one invocation each: an iteration writes 100,000 rows after a reset.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public abstract class KeyedRowBenchmarks
{
    private const int RowCount = 100_000;

    private readonly List<RegisteredWriter<KeyedRow>> _writers = [];
    private string _table = null!;

    protected KeyedRow[] Rows { get; private set; } = null!;

    protected NpgsqlDataSource DataSource { get; private set; } = null!;

    [GlobalCleanup]
    public async Task Cleanup()
    {
        foreach (var writer in _writers)
        {
            await writer.DisposeAsync();
        }

        await using (var connection = await DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"DROP TABLE {_table}");
        }

        await DataSource.DisposeAsync();
    }

    /// <summary>Creates the rows, the data source and the table; <paramref name="uniqueNote"/> makes <c>note</c> a natural key.</summary>
    protected async Task CreateTableAsync(string table, bool uniqueNote)
    {
        _table = table;
        Rows = [.. BenchRow.Generate(RowCount).Select(r => new KeyedRow(r))];
        DataSource = NpgsqlDataSource.Create(BenchmarkServers.Primary);
        await using var connection = await DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"""
            DROP TABLE IF EXISTS {table};
            CREATE TABLE {table} (
                id bigserial PRIMARY KEY, quantity integer NOT NULL, note text NOT NULL{(uniqueNote ? " UNIQUE" : "")}, amount numeric(12,2) NOT NULL,
                created_at timestamptz NOT NULL, paid boolean NOT NULL)
            """);
    }

    /// <summary>
    /// A writer, disposed after the run, of the table's map without its key (every column but <c>id</c>), to which
    /// <paramref name="keys"/> may add the generated key or the upsert's key.
    /// </summary>
    protected async Task<IBatchWriter<KeyedRow>> WriterAsync(Action<TableMapBuilder<KeyedRow>>? keys = null, Action<BatchWriterOptions>? configure = null)
    {
        var writer = await RegisteredWriter<KeyedRow>.StartAsync(DataSource, map =>
        {
            map.Table(_table).Column(r => r.Quantity).Column(r => r.Note).Column(r => r.Amount).Column(r => r.CreatedAt).Column(r => r.Paid);
            keys?.Invoke(map);
        }, configure);
        _writers.Add(writer);
        return writer.Writer;
    }

    /// <summary>Empties the table, runs <paramref name="refill"/>, checkpoints, and sets every row's key back to 0.</summary>
    protected void ResetTable(Action? refill = null)
    {
        using (var truncate = DataSource.CreateCommand($"TRUNCATE {_table}"))
        {
            truncate.ExecuteNonQuery();
        }

        refill?.Invoke();
        using (var checkpoint = DataSource.CreateCommand("CHECKPOINT"))
        {
            checkpoint.ExecuteNonQuery();
        }

        foreach (var row in Rows)
        {
            row.Id = 0;
        }
    }

    /// <summary>The benchmark row with a settable key.</summary>
    public sealed class KeyedRow(BenchRow row)
    {
        public long Id { get; set; }

        public int Quantity { get; } = row.Quantity;

        public string Note { get; } = row.Note;

        public decimal Amount { get; } = row.Amount;

        public DateTime CreatedAt { get; } = row.CreatedAt;

        public bool Paid { get; } = row.Paid;
    }
}
