using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.Batching;
using OrmPerf.Routing;

namespace OrmPerf.Benchmarks.Batching;

/// <summary>
/// Loading the 1,000,000 rows of <c>pgbench_accounts</c> at scale 10 into pgbench's own schema (<c>pgbench -i -I dt</c>:
/// tables without keys, as pgbench loads them): pgbench's client-side loader (<c>pgbench -i -I g -s 10</c>, timed as a
/// process: the baseline) vs <c>WriteManyAsync</c> (one COPY stream, and two parallel streams with
/// <see cref="BatchWriterOptions.ImportParallelism"/> = 2) vs 64 producers calling <c>WriteAsync</c> with 1,000 writes in
/// flight each (without a token; passing a stopping token, as a hosted service's producers do; and each in a DI scope
/// of a service with read replicas, whose writes report to their scope). Rows are generated as they are written, as
/// pgbench does. Every operation starts from empty tables.
/// </summary>
/// <remarks>
/// Two launches of eight timed iterations per contender: on this 2-core machine pgbench's loader alone moved by ±25%
/// between runs of three iterations, more than the gaps measured, so the ratios are also given from median times.
/// Three warm-up iterations: a service runs with its code already optimised by the JIT's later tiers, and with one
/// warm-up the first timed iterations of the OrmPerf contenders were still getting faster (pgbench is a native
/// process, started afresh for every iteration, as the baseline is defined).
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(Config))]
[MedianColumn]
[HideColumns(Column.Ratio, Column.RatioSD, Column.AllocRatio)]
[SimpleJob(RunStrategy.Monitoring, launchCount: 2, warmupCount: 3, iterationCount: 8, invocationCount: 1)]
public class AccountsImportBenchmarks
{
    private const int Accounts = 1_000_000;
    private const int Producers = 64;
    private const int ProducerWindow = 1_000;

    private NpgsqlDataSource _dataSource = null!;
    private RegisteredWriter<Account> _writer = null!;
    private RegisteredWriter<Account> _parallelWriter = null!;
    private RegisteredWriter<Account> _routedWriter = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        Pgbench.Run("-i", "-I", "dt", "-s", "10", "-q");
        _dataSource = NpgsqlDataSource.Create(BenchmarkServers.Primary);
        _writer = await RegisteredWriter<Account>.StartAsync(_dataSource, Account.Map);
        _parallelWriter = await RegisteredWriter<Account>.StartAsync(_dataSource, Account.Map, o => o.ImportParallelism = 2);

        // A service that also reads from a replica: its writer reports each commit's position to the scope it was made in.
        var routed = new ServiceCollection();
        routed.AddOrmPerf(o => o.ConnectionString = BenchmarkServers.Primary)
            .AddBatchWriter<Account>(Account.Map)
            .AddReadReplicas(o =>
            {
                o.Replicas.Add(new() { Name = "replica-1", ConnectionString = BenchmarkServers.Replica });
                o.MaxReplicaLag = TimeSpan.FromMinutes(10);
            });
        _routedWriter = await RegisteredWriter<Account>.StartAsync(routed);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _writer.DisposeAsync();
        await _parallelWriter.DisposeAsync();
        await _routedWriter.DisposeAsync();
        Pgbench.Run("-i", "-I", "d", "-q");
        await _dataSource.DisposeAsync();
    }

    [IterationSetup]
    public void EmptyTables()
    {
        using var connection = _dataSource.OpenConnection();
        connection.Execute("TRUNCATE pgbench_accounts, pgbench_branches, pgbench_tellers, pgbench_history; CHECKPOINT");
    }

    [Benchmark(Baseline = true, Description = "pgbench -i -I g -s 10 (client-side loader, process)")]
    [Rows(Accounts)]
    public void PgbenchLoader() => Pgbench.Run("-i", "-I", "g", "-s", "10", "-q");

    [Benchmark(Description = "OrmPerf WriteManyAsync, default options")]
    [Rows(Accounts)]
    public Task<long> WriteMany() => _writer.Writer.WriteManyAsync(Account.Generate(0, Accounts));

    [Benchmark(Description = "OrmPerf WriteManyAsync, ImportParallelism = 2 (two COPY streams)")]
    [Rows(Accounts)]
    public Task<long> WriteManyParallel() => _parallelWriter.Writer.WriteManyAsync(Account.Generate(0, Accounts));

    [Benchmark(Description = "OrmPerf WriteAsync, 64 producers, 1,000 writes in flight each")]
    [Rows(Accounts)]
    public Task WindowedProducers() => WriteWindowedAsync(CancellationToken.None);

    [Benchmark(Description = "OrmPerf WriteAsync, 64 producers, 1,000 in flight each, passing a stopping token")]
    [Rows(Accounts)]
    public async Task WindowedProducersWithToken()
    {
        // As producers in a BackgroundService pass its stopping token, which stays uncancelled.
        using var stopping = new CancellationTokenSource();
        await WriteWindowedAsync(stopping.Token);
    }

    [Benchmark(Description = "OrmPerf WriteAsync, 64 producers, 1,000 in flight each, each in a scope with read replicas")]
    [Rows(Accounts)]
    public Task WindowedProducersInRoutedScopes() => Task.WhenAll(Enumerable.Range(0, Producers).Select(async producer =>
    {
        // Each producer is a job (or request) that resolves its scope's router, so its writes report to that scope.
        await using var scope = _routedWriter.Services.CreateAsyncScope();
        _ = scope.ServiceProvider.GetRequiredService<IConnectionRouter>();
        await WriteShareAsync(_routedWriter.Writer, producer, CancellationToken.None);
    }));

    private Task WriteWindowedAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, Producers).Select(producer => WriteShareAsync(_writer.Writer, producer, cancellationToken)));

    private static async Task WriteShareAsync(IBatchWriter<Account> writer, int producer, CancellationToken cancellationToken)
    {
        var share = Accounts / Producers;
        var pending = new List<Task>(ProducerWindow);
        foreach (var account in Account.Generate(producer * share, producer == Producers - 1 ? Accounts - producer * share : share))
        {
            pending.Add(writer.WriteAsync(account, cancellationToken));
            if (pending.Count == ProducerWindow)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending);
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new RowsPerSecondColumn(false), new RowsPerSecondColumn(true), new RowsPerSecondColumn(true, median: true));
    }

    /// <summary>A row of pgbench_accounts as pgbench generates it: aid, bid = (aid - 1) / 100,000 + 1, balance 0, empty filler.</summary>
    public sealed record Account(int Aid, int Bid, int Abalance, string Filler)
    {
        public static void Map(TableMapBuilder<Account> table) => table
            .Table("pgbench_accounts")
            .Column(a => a.Aid).Column(a => a.Bid).Column(a => a.Abalance).Column(a => a.Filler);

        public static IEnumerable<Account> Generate(int first, int count)
        {
            for (var i = first; i < first + count; i++)
            {
                yield return new Account(i + 1, i / 100_000 + 1, 0, "");
            }
        }
    }
}
