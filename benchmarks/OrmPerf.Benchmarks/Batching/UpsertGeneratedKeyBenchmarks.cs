using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Dapper;
using Npgsql;
using OrmPerf.Batching;

namespace OrmPerf.Benchmarks.Batching;

/// <summary>
/// What handing generated keys back costs an upsert: 100,000 rows of the six-column shape, half of them already in
/// the table, upserted on a natural key (<c>note</c>, unique) with <c>WriteManyAsync</c> in <see cref="WriteMode.Upsert"/>:
/// once with the id left to the table and unknown to the rows (baseline), once with
/// <see cref="TableMapBuilder{T}.GeneratedKey{TKey}"/>, whose rows are joined back on the key after the merge and learn
/// the id they are stored under. Each iteration starts from the same 50,000 existing rows and rows without keys.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class UpsertGeneratedKeyBenchmarks
{
    private const int Rows = 100_000;
    private const string Table = "upsert_key_bench";

    private GeneratedKeyBenchmarks.KeyedRow[] _rows = null!;
    private NpgsqlDataSource _dataSource = null!;
    private BatchWriter<GeneratedKeyBenchmarks.KeyedRow> _existing = null!;
    private BatchWriter<GeneratedKeyBenchmarks.KeyedRow> _keysUnknown = null!;
    private BatchWriter<GeneratedKeyBenchmarks.KeyedRow> _keysReported = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _rows = [.. BenchRow.Generate(Rows).Select(r => new GeneratedKeyBenchmarks.KeyedRow(r))];
        _dataSource = NpgsqlDataSource.Create(BenchmarkServers.Primary);
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"""
                DROP TABLE IF EXISTS {Table};
                CREATE TABLE {Table} (
                    id bigserial PRIMARY KEY, quantity integer NOT NULL, note text NOT NULL UNIQUE, amount numeric(12,2) NOT NULL,
                    created_at timestamptz NOT NULL, paid boolean NOT NULL)
                """);
        }

        _existing = new BatchWriter<GeneratedKeyBenchmarks.KeyedRow>(_dataSource, Map().Build());
        var upsert = new BatchWriterOptions { Mode = WriteMode.Upsert };
        _keysUnknown = new BatchWriter<GeneratedKeyBenchmarks.KeyedRow>(_dataSource, Map().Key("note").Build(), upsert);
        _keysReported = new BatchWriter<GeneratedKeyBenchmarks.KeyedRow>(_dataSource, Map().GeneratedKey(r => r.Id).Key("note").Build(), upsert);
    }

    [IterationSetup]
    public void ResetTableAndKeys()
    {
        using (var connection = _dataSource.OpenConnection())
        {
            connection.Execute($"TRUNCATE {Table}");
        }

        _existing.WriteManyAsync(_rows.Where((_, i) => i % 2 == 0)).GetAwaiter().GetResult();
        using (var checkpoint = _dataSource.CreateCommand("CHECKPOINT"))
        {
            checkpoint.ExecuteNonQuery();
        }

        foreach (var row in _rows)
        {
            row.Id = 0;
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _existing.DisposeAsync();
        await _keysUnknown.DisposeAsync();
        await _keysReported.DisposeAsync();
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"DROP TABLE {Table}");
        }

        await _dataSource.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "upsert, keys unknown to the rows")]
    public Task<long> KeysUnknown() => _keysUnknown.WriteManyAsync(_rows);

    [Benchmark(Description = "upsert with GeneratedKey: keys set on the rows")]
    public Task<long> KeysReported() => _keysReported.WriteManyAsync(_rows);

    private static TableMapBuilder<GeneratedKeyBenchmarks.KeyedRow> Map() => new TableMapBuilder<GeneratedKeyBenchmarks.KeyedRow>().Table(Table)
        .Column(r => r.Quantity).Column(r => r.Note).Column(r => r.Amount).Column(r => r.CreatedAt).Column(r => r.Paid);
}
