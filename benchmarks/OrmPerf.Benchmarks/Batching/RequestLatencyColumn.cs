using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace OrmPerf.Benchmarks.Batching;

/// <summary>
/// A column from <see cref="RequestLatency"/>: rows per second, that as a multiple of the baseline's with the same
/// parameters, or the p50/p99 latency of one request in milliseconds.
/// </summary>
public sealed class RequestLatencyColumn(string name, Func<RequestLatency, RequestLatency?, string> value) : IColumn
{
    public static readonly IColumn RowsPerSecond = new RequestLatencyColumn("Rows/s", (r, _) => r.RowsPerSecond.ToString("N0", CultureInfo.InvariantCulture));

    public static readonly IColumn VersusBaseline = new RequestLatencyColumn(
        "Rows/s vs naive", (r, b) => b is null ? "?" : (r.RowsPerSecond / b.RowsPerSecond).ToString("0.00", CultureInfo.InvariantCulture) + "x");

    public static readonly IColumn P50 = new RequestLatencyColumn("p50 ms", (r, _) => r.Percentile(0.50).ToString("0.00", CultureInfo.InvariantCulture));

    public static readonly IColumn P99 = new RequestLatencyColumn("p99 ms", (r, _) => r.Percentile(0.99).ToString("0.00", CultureInfo.InvariantCulture));

    public string Id => nameof(RequestLatencyColumn) + name;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => name switch
    {
        "Rows/s" => "Rows committed per second while the requests ran",
        "Rows/s vs naive" => "Rows/s over the baseline's Rows/s at the same number of concurrent requests",
        _ => $"Latency of one request (write one row and await its commit), {name[..3]} over all iterations",
    };

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var requests = (int)benchmarkCase.Parameters["Requests"];
        if (RequestLatency.Find(benchmarkCase.Descriptor.WorkloadMethod.Name, requests) is not { } stats)
        {
            return "?";
        }

        var baseline = summary.BenchmarksCases.FirstOrDefault(c => c.Descriptor.Baseline && (int)c.Parameters["Requests"] == requests);
        return value(stats, baseline is null ? null : RequestLatency.Find(baseline.Descriptor.WorkloadMethod.Name, requests));
    }
}
