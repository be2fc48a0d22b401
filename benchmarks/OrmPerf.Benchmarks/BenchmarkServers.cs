namespace OrmPerf.Benchmarks;

/// <summary>The servers a benchmark runs against, from the environment that eng/services.sh prints.</summary>
internal static class BenchmarkServers
{
    public static string Primary => Require("ORMPERF_PG_PRIMARY");

    public static string Replica => Require("ORMPERF_PG_REPLICA");

    public static string Redis => Require("ORMPERF_REDIS");

    private static string Require(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: run benchmarks through ./eng/bench.sh, which starts the servers.");
}
