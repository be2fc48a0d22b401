using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.Batching;

namespace OrmPerf.Benchmarks.Batching;

/// <summary>
/// A web service whose requests each write one row and await its commit, with 8, 64 or 256 requests at once: what such
/// a service does without us (each request opens a pooled connection, pool sized to the requests, and runs one Dapper
/// INSERT in autocommit: the baseline) vs <c>WriteAsync</c> with default options, and pgbench running the same INSERT
/// from as many clients as an external reference. Rows/s and per-request p50/p99 come from the requests themselves
/// (pgbench: its own tps without connection time and its per-transaction log). One more OrmPerf contender is a service
/// that also caches in Redis and reads from a replica: each batch then also invalidates (the naive baseline does not).
/// </summary>
[Config(typeof(Config))]
public class AwaitedRequestsBenchmarks
{
    private const string Table = "awaited_bench";
    private const int RowsPerOperation = 4_096;
    private const string InsertOne = $"INSERT INTO {Table} (id, quantity, note, amount, created_at, paid) VALUES (@Id, @Quantity, @Note, @Amount, @CreatedAt, @Paid)";

    private NpgsqlDataSource _naive = null!;
    private NpgsqlDataSource _writerSource = null!;
    private RegisteredWriter<BenchRow> _writer = null!;
    private RegisteredWriter<BenchRow> _tunedWriter = null!;
    private RegisteredWriter<BenchRow> _cachedWriter = null!;
    private BenchRow[] _rows = null!;
    private string _script = null!;
    private string _logPrefix = null!;
    private long _nextId;

    [Params(8, 64, 256)]
    public int Requests { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _rows = BenchRow.Generate(RowsPerOperation);
        // As a service would size it: one pooled connection per concurrent request.
        _naive = new NpgsqlDataSourceBuilder(BenchmarkServers.Primary) { ConnectionStringBuilder = { MaxPoolSize = Requests, MinPoolSize = 0 } }.Build();
        _writerSource = NpgsqlDataSource.Create(BenchmarkServers.Primary);
        await using (var connection = await _writerSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(BenchRow.CreateTable.Replace(BenchRow.Table, Table, StringComparison.Ordinal));
        }

        static void Map(TableMapBuilder<BenchRow> table) => table
            .Table(Table)
            .Column(r => r.Id).Column(r => r.Quantity).Column(r => r.Note).Column(r => r.Amount).Column(r => r.CreatedAt).Column(r => r.Paid);
        _writer = await RegisteredWriter<BenchRow>.StartAsync(_writerSource, Map);
        _tunedWriter = await RegisteredWriter<BenchRow>.StartAsync(_writerSource, Map, o =>
        {
            o.MaxConcurrentBatches = 4;
            o.SmallBatchInsertLimit = 1_000;
        });

        // A service that also caches its reads in Redis and reads from a replica: each batch reads its commit's WAL
        // position and invalidates the table's cached results (in this process, in Redis, and on the backplane)
        // before its rows' tasks complete.
        var cached = new ServiceCollection();
        cached.AddOrmPerf(o => o.ConnectionString = BenchmarkServers.Primary)
            .AddBatchWriter<BenchRow>(Map)
            .AddReadReplicas(o =>
            {
                o.Replicas.Add(new() { Name = "replica-1", ConnectionString = BenchmarkServers.Replica });
                o.MaxReplicaLag = TimeSpan.FromMinutes(10);
            })
            .AddRedisCache(o =>
            {
                o.Configuration = BenchmarkServers.Redis;
                o.KeyPrefix = $"awaited-bench-{Guid.NewGuid():N}:";
            });
        _cachedWriter = await RegisteredWriter<BenchRow>.StartAsync(cached);

        var directory = Directory.CreateTempSubdirectory("ormperf-pgbench-").FullName;
        _script = Path.Combine(directory, "one-insert.sql");
        _logPrefix = Path.Combine(directory, "pgbench_log");
        await File.WriteAllTextAsync(_script, $"""
            \set id random(1, 9000000000000000000)
            INSERT INTO {Table} (id, quantity, note, amount, created_at, paid) VALUES (:id, 1, 'order note', 1.50, now(), true);

            """);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _writer.DisposeAsync();
        await _tunedWriter.DisposeAsync();
        await _cachedWriter.DisposeAsync();
        await _naive.DisposeAsync();
        await using (var connection = await _writerSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"DROP TABLE {Table}");
        }

        await _writerSource.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_script)!, recursive: true);
    }

    [IterationSetup]
    public void EmptyTable()
    {
        using var connection = _writerSource.OpenConnection();
        connection.Execute($"TRUNCATE {Table}; CHECKPOINT");
    }

    [Benchmark(Baseline = true, Description = "Naive: concurrent Dapper INSERT per request (pool = requests)")]
    public Task NaiveConcurrentInsert() => RequestLatency.RunAsync(RequestLatency.For(nameof(NaiveConcurrentInsert), Requests), Requests, RowsPerOperation / Requests, async i =>
    {
        await using var connection = await _naive.OpenConnectionAsync();
        await connection.ExecuteAsync(InsertOne, Next(i));
    });

    [Benchmark(Description = "OrmPerf WriteAsync, default options")]
    public Task WriteAsyncPerRequest() => RequestLatency.RunAsync(RequestLatency.For(nameof(WriteAsyncPerRequest), Requests), Requests, RowsPerOperation / Requests, i => _writer.Writer.WriteAsync(Next(i)));

    // Fewer round trips per batch (one INSERT … unnest instead of COPY's three) and more batches in flight.
    [Benchmark(Description = "OrmPerf WriteAsync, 4 batches in flight, unnest up to 1,000 rows")]
    public Task WriteAsyncPerRequestTuned() => RequestLatency.RunAsync(
        RequestLatency.For(nameof(WriteAsyncPerRequestTuned), Requests), Requests, RowsPerOperation / Requests, i => _tunedWriter.Writer.WriteAsync(Next(i)));

    [Benchmark(Description = "OrmPerf WriteAsync, default options, with a Redis cache and a read replica")]
    public Task WriteAsyncPerRequestCached() => RequestLatency.RunAsync(
        RequestLatency.For(nameof(WriteAsyncPerRequestCached), Requests), Requests, RowsPerOperation / Requests, i => _cachedWriter.Writer.WriteAsync(Next(i)));

    [Benchmark(Description = "pgbench -c N -f one-insert.sql (reference)")]
    public void PgbenchOneInsert()
    {
        var output = Pgbench.Run("-n", "-c", Requests.ToString(), "-j", "2", "-t", (RowsPerOperation / Requests).ToString(), "-f", _script, "-l", "--log-prefix", _logPrefix);
        var latencies = Pgbench.LoggedLatencies(_logPrefix);
        RequestLatency.For(nameof(PgbenchOneInsert), Requests).Add(latencies.Count, TimeSpan.FromSeconds(latencies.Count / Pgbench.TransactionsPerSecond(output)), latencies);
    }

    // Fresh ids every time: the table is emptied only between iterations, and the warm-up runs the same operation.
    private BenchRow Next(int i) => _rows[i] with { Id = Interlocked.Increment(ref _nextId) };

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // In process, so RequestLatencyColumn reads what the requests recorded.
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3)
                .WithInvocationCount(1).WithUnrollFactor(1).WithToolchain(InProcessEmitToolchain.Instance));
            AddColumn(RequestLatencyColumn.RowsPerSecond, RequestLatencyColumn.VersusBaseline, RequestLatencyColumn.P50, RequestLatencyColumn.P99);
            HideColumns(Column.Ratio, Column.RatioSD, Column.Error, Column.StdDev);
        }
    }
}
