using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Dapper;
using LinqToDB;
using LinqToDB.Data;
using LinqToDB.Mapping;
using Npgsql;
using NpgsqlTypes;
using OrmPerf.Batching;

namespace OrmPerf.Benchmarks.Batching;

/// <summary>
/// Writing many rows of the six-column table into the real primary: one statement per row (Dapper), the
/// article's multi-row INSERT in batches of 1,000, linq2db BulkCopy, a hand-written binary COPY (the limit, baseline),
/// OrmPerf's WriteManyAsync, and WriteAsync from 64 concurrent producers. Every operation starts from an empty table
/// (truncated, then CHECKPOINT so no contender inherits another's dirty pages). The slow contenders write fewer rows;
/// compare the Rows/s columns, not the times.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RowsPerSecondConfig))]
[HideColumns(Column.Ratio, Column.RatioSD, Column.AllocRatio)]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class BatchInsertBenchmarks
{
    private const int AllRows = 1_000_000;
    private const int OneRowPerStatementRows = 5_000;
    private const int AwaitedWriteRows = 32_000;
    private const int Producers = 64;
    private const int ArticleBatchSize = 1_000;
    private const int ProducerWindow = 1_000;

    private const string InsertOne = $"INSERT INTO {BenchRow.Table} ({BenchRow.Columns}) VALUES (@Id, @Quantity, @Note, @Amount, @CreatedAt, @Paid)";
    private const string CopyIn = $"COPY {BenchRow.Table} ({BenchRow.Columns}) FROM STDIN (FORMAT BINARY)";

    private static readonly string MultiRowInsertSql = $"INSERT INTO {BenchRow.Table} ({BenchRow.Columns}) VALUES "
        + string.Join(", ", Enumerable.Range(0, ArticleBatchSize).Select(r => $"(${r * 6 + 1}, ${r * 6 + 2}, ${r * 6 + 3}, ${r * 6 + 4}, ${r * 6 + 5}, ${r * 6 + 6})"));

    private BenchRow[] _rows = null!;
    private NpgsqlDataSource _dataSource = null!;
    private RegisteredWriter<BenchRow> _writer = null!;
    private DataOptions _linq2db = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _rows = BenchRow.Generate(AllRows);
        _dataSource = NpgsqlDataSource.Create(BenchmarkServers.Primary);
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(BenchRow.CreateTable);
        }

        _writer = await RegisteredWriter<BenchRow>.StartAsync(_dataSource, table => table
            .Table(BenchRow.Table)
            .Column(r => r.Id).Column(r => r.Quantity).Column(r => r.Note).Column(r => r.Amount).Column(r => r.CreatedAt).Column(r => r.Paid));
        var mapping = new MappingSchema();
        new FluentMappingBuilder(mapping).Entity<BenchRow>().HasTableName(BenchRow.Table)
            .Property(r => r.Id).HasColumnName("id")
            .Property(r => r.Quantity).HasColumnName("quantity")
            .Property(r => r.Note).HasColumnName("note")
            .Property(r => r.Amount).HasColumnName("amount")
            .Property(r => r.CreatedAt).HasColumnName("created_at").HasDataType(DataType.DateTimeOffset)
            .Property(r => r.Paid).HasColumnName("paid")
            .Build();
        _linq2db = new DataOptions().UsePostgreSQL(BenchmarkServers.Primary).UseMappingSchema(mapping);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _writer.DisposeAsync();
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"DROP TABLE {BenchRow.Table}");
        }

        await _dataSource.DisposeAsync();
    }

    [IterationSetup]
    public void EmptyTable()
    {
        using var connection = _dataSource.OpenConnection();
        connection.Execute($"TRUNCATE {BenchRow.Table}; CHECKPOINT");
    }

    [Benchmark(Description = "Dapper, one INSERT per row (autocommit)")]
    [Rows(OneRowPerStatementRows)]
    public async Task DapperOneRowPerStatement()
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(InsertOne, _rows.Take(OneRowPerStatementRows));
    }

    [Benchmark(Description = "Multi-row INSERT, 1,000 rows per statement and commit")]
    [Rows(AllRows)]
    public async Task MultiRowInsert()
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        foreach (var chunk in _rows.Chunk(ArticleBatchSize))
        {
            await using var insert = new NpgsqlCommand(MultiRowInsertSql, connection);
            foreach (var row in chunk)
            {
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = row.Id });
                insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = row.Quantity });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.Note });
                insert.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = row.Amount });
                insert.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = row.CreatedAt });
                insert.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = row.Paid });
            }

            await insert.ExecuteNonQueryAsync();
        }
    }

    [Benchmark(Description = "linq2db 6.5.1 BulkCopyAsync (ProviderSpecific)")]
    [Rows(AllRows)]
    public async Task Linq2dbBulkCopy()
    {
        await using var db = new DataConnection(_linq2db);
        await db.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = BulkCopyType.ProviderSpecific }, _rows);
    }

    [Benchmark(Baseline = true, Description = "Hand-written NpgsqlBinaryImporter, one COPY")]
    [Rows(AllRows)]
    public async Task RawBinaryCopy()
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var importer = await connection.BeginBinaryImportAsync(CopyIn);
        foreach (var row in _rows)
        {
            await importer.StartRowAsync();
            await importer.WriteAsync(row.Id, NpgsqlDbType.Bigint);
            await importer.WriteAsync(row.Quantity, NpgsqlDbType.Integer);
            await importer.WriteAsync(row.Note, NpgsqlDbType.Text);
            await importer.WriteAsync(row.Amount, NpgsqlDbType.Numeric);
            await importer.WriteAsync(row.CreatedAt, NpgsqlDbType.TimestampTz);
            await importer.WriteAsync(row.Paid, NpgsqlDbType.Boolean);
        }

        await importer.CompleteAsync();
    }

    [Benchmark(Description = "OrmPerf WriteManyAsync")]
    [Rows(AllRows)]
    public Task<long> WriteMany() => _writer.Writer.WriteManyAsync(_rows);

    [Benchmark(Description = "OrmPerf WriteAsync, 64 producers, 1,000 writes in flight each")]
    [Rows(AllRows)]
    public Task WriteFromProducers() => Task.WhenAll(Enumerable.Range(0, Producers).Select(p => ProduceAsync(p, AllRows, ProducerWindow)));

    [Benchmark(Description = "OrmPerf WriteAsync, 64 producers, each awaits every row")]
    [Rows(AwaitedWriteRows)]
    public Task WriteFromAwaitingProducers() => Task.WhenAll(Enumerable.Range(0, Producers).Select(p => ProduceAsync(p, AwaitedWriteRows, 1)));

    // Producer p writes its share of the rows, keeping at most `window` writes awaiting their commit.
    private async Task ProduceAsync(int producer, int rows, int window)
    {
        var share = rows / Producers;
        var pending = new List<Task>(window);
        foreach (var row in new ArraySegment<BenchRow>(_rows, producer * share, share))
        {
            pending.Add(_writer.Writer.WriteAsync(row));
            if (pending.Count == window)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending);
    }
}
