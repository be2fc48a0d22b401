using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace OrmPerf.Benchmarks.Batching;

/// <summary>Runs the pgbench client against the benchmark primary, as an external reference.</summary>
internal static partial class Pgbench
{
    /// <summary>Runs pgbench with <paramref name="arguments"/> (connection options added) and returns its standard output; throws on failure.</summary>
    public static string Run(params string[] arguments)
    {
        var connection = new NpgsqlConnectionStringBuilder(BenchmarkServers.Primary);
        var start = new ProcessStartInfo("pgbench")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-h", connection.Host!, "-p", connection.Port.ToString(CultureInfo.InvariantCulture), "-U", connection.Username! }.Concat(arguments).Append(connection.Database!))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("pgbench did not start");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pgbench {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Result}");
        }

        return output + error.Result;
    }

    /// <summary>pgbench's own "tps = … (without initial connection time)".</summary>
    public static double TransactionsPerSecond(string output) =>
        double.Parse(Tps().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>Each transaction's latency in ms, from the per-transaction logs (-l) that start with <paramref name="prefix"/>; the logs are deleted.</summary>
    public static List<double> LoggedLatencies(string prefix)
    {
        var latencies = new List<double>();
        foreach (var log in Directory.GetFiles(Path.GetDirectoryName(prefix)!, Path.GetFileName(prefix) + ".*"))
        {
            // client_id transaction_no time(us) script_no time_epoch time_us
            foreach (var line in File.ReadLines(log))
            {
                latencies.Add(long.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture) / 1000.0);
            }

            File.Delete(log);
        }

        return latencies;
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();
}
