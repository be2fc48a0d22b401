using System.Globalization;

namespace OrmPerf.Samples.Tour;

/// <summary>What the tour was given (servers, output folder) and how much data it works with.</summary>
internal sealed record TourSettings(string Primary, string? Replica, string? Redis, bool Quick, string OutputDirectory, string? Note)
{
    public TourSizes Sizes => Quick ? TourSizes.Quick : TourSizes.Full;

    /// <summary>
    /// Reads <c>--primary</c>, <c>--replica</c>, <c>--redis</c> (else <c>ORMPERF_PG_PRIMARY</c>, <c>ORMPERF_PG_REPLICA</c>,
    /// <c>ORMPERF_REDIS</c>, as eng/services.sh exports them), <c>--no-replica</c>, <c>--no-redis</c>, <c>--quick</c> and
    /// <c>--output</c>, and <c>--note</c> (a line for the report, e.g. what else the machine was doing). Returns null with an error message when the arguments cannot be used.
    /// </summary>
    public static TourSettings? Parse(string[] args, out string? error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--primary" or "--replica" or "--redis" or "--output" or "--note" when i + 1 < args.Length:
                    values[args[i]] = args[++i];
                    break;
                case "--quick" or "--no-replica" or "--no-redis":
                    flags.Add(args[i]);
                    break;
                default:
                    error = $"Unknown or incomplete argument '{args[i]}'. Expected: [--primary CS] [--replica CS | --no-replica] [--redis HOST:PORT | --no-redis] [--quick] [--output DIR] [--note TEXT].";
                    return null;
            }
        }

        var primary = values.GetValueOrDefault("--primary") ?? Environment.GetEnvironmentVariable("ORMPERF_PG_PRIMARY");
        if (string.IsNullOrWhiteSpace(primary))
        {
            error = "No PostgreSQL primary: pass --primary \"Host=...;Username=...;Database=...\" or set ORMPERF_PG_PRIMARY (./eng/demo.sh starts servers and sets it).";
            return null;
        }

        error = null;
        return new TourSettings(
            primary,
            flags.Contains("--no-replica") ? null : NullIfEmpty(values.GetValueOrDefault("--replica") ?? Environment.GetEnvironmentVariable("ORMPERF_PG_REPLICA")),
            flags.Contains("--no-redis") ? null : NullIfEmpty(values.GetValueOrDefault("--redis") ?? Environment.GetEnvironmentVariable("ORMPERF_REDIS")),
            flags.Contains("--quick"),
            values.GetValueOrDefault("--output") ?? Path.Combine("artifacts", "tour"),
            values.GetValueOrDefault("--note"));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>Row counts and repetitions; the quick set keeps the end-to-end test of the tour short.</summary>
internal sealed record TourSizes(
    int Customers, int Products, int Orders,
    int PoolOpens,
    int RowByRowInserts, int BatchedRows, int AwaitedRequests, int AwaitedRowsEach,
    int QueryRepeats, int CacheHits, int StampedeRequests,
    int ProjectedRows,
    int ConcurrentWorkers, int UpdatesPerWorker)
{
    public static TourSizes Full { get; } = new(
        Customers: 100_000, Products: 5_000, Orders: 400_000,
        PoolOpens: 200,
        RowByRowInserts: 500, BatchedRows: 100_000, AwaitedRequests: 64, AwaitedRowsEach: 100,
        QueryRepeats: 10, CacheHits: 10_000, StampedeRequests: 100,
        ProjectedRows: 20_000,
        ConcurrentWorkers: 8, UpdatesPerWorker: 50);

    public static TourSizes Quick { get; } = new(
        Customers: 3_000, Products: 300, Orders: 15_000,
        PoolOpens: 20,
        RowByRowInserts: 100, BatchedRows: 3_000, AwaitedRequests: 16, AwaitedRowsEach: 10,
        QueryRepeats: 3, CacheHits: 500, StampedeRequests: 20,
        ProjectedRows: 1_000,
        ConcurrentWorkers: 4, UpdatesPerWorker: 10);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Customers:N0} customers, {Products:N0} products, {Orders:N0} orders");
}
