using BenchmarkDotNet.Configs;

namespace OrmPerf.Benchmarks.Batching;

/// <summary>
/// Adds the Rows/s columns (absolute and against the baseline) to benchmarks whose contenders write different row
/// counts, where BenchmarkDotNet's own time ratio would mislead.
/// </summary>
internal sealed class RowsPerSecondConfig : ManualConfig
{
    public RowsPerSecondConfig() => AddColumn(new RowsPerSecondColumn(false), new RowsPerSecondColumn(true));
}
