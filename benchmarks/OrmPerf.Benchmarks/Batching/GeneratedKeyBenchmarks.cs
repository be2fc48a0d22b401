using BenchmarkDotNet.Attributes;
using OrmPerf.Batching;

namespace OrmPerf.Benchmarks.Batching;

/// <summary>
/// What handing generated keys back costs an import: 100,000 rows of the six-column shape into a <c>bigserial</c>
/// table with <c>WriteManyAsync</c>, once leaving the keys to the column's default (baseline) and once with
/// <see cref="TableMapBuilder{T}.GeneratedKey{TKey}"/>, which draws them with <c>nextval</c> and sets them on the rows.
/// Each iteration starts from an empty table and rows without keys.
/// </summary>
public class GeneratedKeyBenchmarks : KeyedRowBenchmarks
{
    private IBatchWriter<KeyedRow> _defaultKeys = null!;
    private IBatchWriter<KeyedRow> _returnedKeys = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        await CreateTableAsync("generated_key_bench", uniqueNote: false);
        _defaultKeys = await WriterAsync();
        _returnedKeys = await WriterAsync(map => map.GeneratedKey(r => r.Id));
    }

    [IterationSetup]
    public void ResetTableAndKeys() => ResetTable();

    [Benchmark(Baseline = true, Description = "keys left to the column default")]
    public Task<long> DefaultKeys() => _defaultKeys.WriteManyAsync(Rows);

    [Benchmark(Description = "GeneratedKey: keys set on the rows")]
    public Task<long> ReturnedKeys() => _returnedKeys.WriteManyAsync(Rows);
}
