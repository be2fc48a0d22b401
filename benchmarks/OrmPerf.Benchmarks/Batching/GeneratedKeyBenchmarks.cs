using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Dapper;
using Npgsql;
using OrmPerf.Batching;

namespace OrmPerf.Benchmarks.Batching;

/// <summary>
/// What handing generated keys back costs an import: 100,000 rows of the six-column shape into a <c>bigserial</c>
/// table with <c>WriteManyAsync</c>, once leaving the keys to the column's default (baseline) and once with
/// <see cref="TableMapBuilder{T}.GeneratedKey{TKey}"/>, which draws them with <c>nextval</c> and sets them on the rows.
/// Each iteration starts from an empty table and rows without keys.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class GeneratedKeyBenchmarks
{
    private const int Rows = 100_000;
    private const string Table = "generated_key_bench";

    private KeyedRow[] _rows = null!;
    private NpgsqlDataSource _dataSource = null!;
    private BatchWriter<KeyedRow> _defaultKeys = null!;
    private BatchWriter<KeyedRow> _returnedKeys = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _rows = [.. BenchRow.Generate(Rows).Select(r => new KeyedRow(r))];
        _dataSource = NpgsqlDataSource.Create(BenchmarkServers.Primary);
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"""
                DROP TABLE IF EXISTS {Table};
                CREATE TABLE {Table} (
                    id bigserial PRIMARY KEY, quantity integer NOT NULL, note text NOT NULL, amount numeric(12,2) NOT NULL,
                    created_at timestamptz NOT NULL, paid boolean NOT NULL)
                """);
        }

        TableMapBuilder<KeyedRow> Map() => new TableMapBuilder<KeyedRow>().Table(Table);
        _defaultKeys = new BatchWriter<KeyedRow>(_dataSource, WithValues(Map()).Build());
        _returnedKeys = new BatchWriter<KeyedRow>(_dataSource, WithValues(Map().GeneratedKey(r => r.Id)).Build());
    }

    [IterationSetup]
    public void ResetTableAndKeys()
    {
        using (var connection = _dataSource.OpenConnection())
        {
            connection.Execute($"TRUNCATE {Table}; CHECKPOINT");
        }

        foreach (var row in _rows)
        {
            row.Id = 0;
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _defaultKeys.DisposeAsync();
        await _returnedKeys.DisposeAsync();
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"DROP TABLE {Table}");
        }

        await _dataSource.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "keys left to the column default")]
    public Task<long> DefaultKeys() => _defaultKeys.WriteManyAsync(_rows);

    [Benchmark(Description = "GeneratedKey: keys set on the rows")]
    public Task<long> ReturnedKeys() => _returnedKeys.WriteManyAsync(_rows);

    private static TableMapBuilder<KeyedRow> WithValues(TableMapBuilder<KeyedRow> map) =>
        map.Column(r => r.Quantity).Column(r => r.Note).Column(r => r.Amount).Column(r => r.CreatedAt).Column(r => r.Paid);

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
