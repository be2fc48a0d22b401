using BenchmarkDotNet.Attributes;
using Dapper;
using Npgsql;
using OrmPerf.Batching;

namespace OrmPerf.Benchmarks.Batching;

/// <summary>
/// Where the batch writer's small-batch switch (<see cref="BatchWriterOptions.SmallBatchInsertLimit"/>) belongs: one
/// batch of N rows written with binary COPY (baseline) or with one <c>INSERT … SELECT FROM unnest(…)</c>, for plain
/// inserts (a table without key, so rows can repeat) and upserts (the same keys every time, so every row conflicts).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class SmallBatchThresholdBenchmarks
{
    private NpgsqlDataSource _dataSource = null!;
    private RegisteredWriter<BenchRow> _copy = null!;
    private RegisteredWriter<BenchRow> _unnest = null!;
    private BenchRow[] _rows = null!;

    [Params(1, 16, 64, 256)]
    public int Rows { get; set; }

    [Params(WriteMode.Insert, WriteMode.Upsert)]
    public WriteMode Mode { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _rows = BenchRow.Generate(Rows);
        _dataSource = NpgsqlDataSource.Create(BenchmarkServers.Primary);
        var table = Mode == WriteMode.Insert ? "small_batch_insert" : "small_batch_upsert";
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"""
                DROP TABLE IF EXISTS {table};
                CREATE TABLE {table} (
                    id bigint {(Mode == WriteMode.Insert ? "" : "PRIMARY KEY")}, quantity integer, note text, amount numeric(12,2), created_at timestamptz, paid boolean)
                """);
        }

        void Map(TableMapBuilder<BenchRow> map)
        {
            map.Table(table)
                .Column(r => r.Id).Column(r => r.Quantity).Column(r => r.Note).Column(r => r.Amount).Column(r => r.CreatedAt).Column(r => r.Paid);
            if (Mode != WriteMode.Insert)
            {
                map.Key("id");
            }
        }

        _copy = await RegisteredWriter<BenchRow>.StartAsync(_dataSource, Map, o =>
        {
            o.Mode = Mode;
            o.SmallBatchInsertLimit = 0;
        });
        _unnest = await RegisteredWriter<BenchRow>.StartAsync(_dataSource, Map, o =>
        {
            o.Mode = Mode;
            o.SmallBatchInsertLimit = int.MaxValue;
        });
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _copy.DisposeAsync();
        await _unnest.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "COPY")]
    public Task<long> Copy() => _copy.Writer.WriteManyAsync(_rows);

    [Benchmark(Description = "INSERT … unnest")]
    public Task<long> Unnest() => _unnest.Writer.WriteManyAsync(_rows);
}
