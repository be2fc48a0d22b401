using BenchmarkDotNet.Attributes;
using OrmPerf.Batching;

namespace OrmPerf.Benchmarks.Batching;

/// <summary>
/// What handing generated keys back costs an upsert: 100,000 rows of the six-column shape, half of them already in
/// the table, upserted on a natural key (<c>note</c>, unique) with <c>WriteManyAsync</c> in <see cref="WriteMode.Upsert"/>:
/// once with the id left to the table and unknown to the rows (baseline), once with
/// <see cref="TableMapBuilder{T}.GeneratedKey{TKey}"/>, whose rows are joined back on the key after the merge and learn
/// the id they are stored under. Each iteration starts from the same 50,000 existing rows and rows without keys.
/// </summary>
public class UpsertGeneratedKeyBenchmarks : KeyedRowBenchmarks
{
    private IBatchWriter<KeyedRow> _existing = null!;
    private IBatchWriter<KeyedRow> _keysUnknown = null!;
    private IBatchWriter<KeyedRow> _keysReported = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        await CreateTableAsync("upsert_key_bench", uniqueNote: true);
        _existing = await WriterAsync();
        _keysUnknown = await WriterAsync(map => map.Key("note"), o => o.Mode = WriteMode.Upsert);
        _keysReported = await WriterAsync(map => map.GeneratedKey(r => r.Id).Key("note"), o => o.Mode = WriteMode.Upsert);
    }

    [IterationSetup]
    public void ResetTableAndKeys() => ResetTable(() => _existing.WriteManyAsync(Rows.Where((_, i) => i % 2 == 0)).GetAwaiter().GetResult());

    [Benchmark(Baseline = true, Description = "upsert, keys unknown to the rows")]
    public Task<long> KeysUnknown() => _keysUnknown.WriteManyAsync(Rows);

    [Benchmark(Description = "upsert with GeneratedKey: keys set on the rows")]
    public Task<long> KeysReported() => _keysReported.WriteManyAsync(Rows);
}
