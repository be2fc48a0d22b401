using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace OrmPerf.Benchmarks.Batching;

/// <summary>
/// Rows per second of each contender (its <see cref="RowsAttribute"/> over its mean time, or over its median time when
/// <paramref name="median"/>), or that throughput as a multiple of the baseline's. Contenders run on different row
/// counts (the slow ones on fewer), so time ratios would mislead; throughput ratios do not. The median ratio is for
/// benchmarks whose iterations are few and long on a 2-core machine, where one slow iteration moves a mean.
/// </summary>
public sealed class RowsPerSecondColumn(bool relativeToBaseline, bool median = false) : IColumn
{
    public string Id => nameof(RowsPerSecondColumn) + relativeToBaseline + median;

    public string ColumnName => (relativeToBaseline ? "Rows/s vs baseline" : "Rows/s") + (median ? " (median)" : "");

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => (relativeToBaseline ? 1 : 0) + (median ? 2 : 0);

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => relativeToBaseline
        ? $"Rows per second divided by the baseline's rows per second (from {(median ? "median" : "mean")} times)"
        : $"Rows written per second (rows per operation / {(median ? "median" : "mean")} time)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (RowsPerSecond(summary, benchmarkCase) is not { } rate)
        {
            return "?";
        }

        if (!relativeToBaseline)
        {
            return rate.ToString("N0", CultureInfo.InvariantCulture);
        }

        var baseline = summary.BenchmarksCases.FirstOrDefault(c => c.Descriptor.Baseline);
        return baseline is not null && RowsPerSecond(summary, baseline) is { } baseRate
            ? (rate / baseRate).ToString("G3", CultureInfo.InvariantCulture) + "x"
            : "?";
    }

    private double? RowsPerSecond(Summary summary, BenchmarkCase benchmarkCase)
    {
        var rows = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<RowsAttribute>()?.Count;
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        var nanoseconds = median ? statistics?.Median : statistics?.Mean;
        return rows is null || nanoseconds is not > 0 ? null : rows.Value / (nanoseconds.Value / 1e9);
    }
}
