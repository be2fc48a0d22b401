using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>
/// A row that cannot be written (null, a getter that throws, a value Npgsql cannot encode) harms no other row: a null
/// is refused where it is given, and in an import each such row is set aside by its position while the rest commits.
/// </summary>
public sealed class RowIsolationTests(TestServers servers)
{
    /// <summary>An order event whose note getter throws for one chosen id, as a lazy or computed property might.</summary>
    private sealed class FragileEvent(long id, DateTime createdAt, long throwsFor = -1)
    {
        public long Id { get; } = id;

        public int Quantity => 1;

        public string Note => Id == throwsFor ? throw new InvalidOperationException($"note of {Id} is not loaded") : "note " + Id;

        public decimal Amount => 1.5m;

        public DateTime CreatedAt { get; } = createdAt;

        public bool Paid => true;
    }

    private static readonly DateTime Utc = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static TableMap<FragileEvent> FragileMap(TestSchema schema) => new TableMapBuilder<FragileEvent>()
        .Table("order_event", schema.Name)
        .Column(e => e.Id).Column(e => e.Quantity).Column(e => e.Note).Column(e => e.Amount).Column(e => e.CreatedAt).Column(e => e.Paid)
        .Build();

    [Fact]
    public async Task A_null_row_is_refused_synchronously_by_WriteAsync_and_TryWrite_and_the_rows_around_it_commit()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema));
        var token = TestContext.Current.CancellationToken;

        var before = Enumerable.Range(1, 100).Select(i => writer.WriteAsync(OrderEvent.Good(i), token)).ToList();
        // Assert.Throws, not ThrowsAsync: the exception comes from the call itself, not from a returned task.
        var refused = Assert.Throws<ArgumentNullException>(() => { _ = writer.WriteAsync(null!, token); });
        Assert.Equal("row", refused.ParamName);
        Assert.Contains("order_event", refused.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => writer.TryWrite(null!, out _));
        var after = Enumerable.Range(101, 100).Select(i => writer.WriteAsync(OrderEvent.Good(i), token)).ToList();

        await Task.WhenAll(before.Concat(after)).WaitAsync(TimeSpan.FromSeconds(30), token);
        Assert.Equal((200, 200), await OrderEvent.CountAsync(schema));
        Assert.Equal(0, writer.QueuedRows);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    public async Task An_import_sets_aside_a_null_a_throwing_getter_and_an_unencodable_value_by_position_and_commits_the_rest(int smallBatchInsertLimit)
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var sink = new RecordingSink<FragileEvent>();
        // Batches of 8 with the limit at 16 go through the unnest INSERT, where Npgsql encodes a whole array at once.
        var options = new BatchWriterOptions { ImportBatchSize = smallBatchInsertLimit == 0 ? 400 : 8, SmallBatchInsertLimit = smallBatchInsertLimit };
        await using var writer = new BatchWriter<FragileEvent>(dataSource, FragileMap(schema), options, rejectedRows: sink);
        var progress = new List<BatchProgress>();
        var rows = Enumerable.Range(0, 1_000).Select(i => i switch
        {
            500 => null,
            700 => new FragileEvent(i + 1, Utc, throwsFor: i + 1),
            // timestamptz takes only UTC DateTimes: Npgsql refuses to encode a local one.
            900 => new FragileEvent(i + 1, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Local)),
            _ => new FragileEvent(i + 1, Utc),
        });

        var written = await writer.WriteManyAsync(rows!, new SynchronousProgress(progress), TestContext.Current.CancellationToken);

        Assert.Equal(997, written);
        Assert.Equal((997, 997), await OrderEvent.CountAsync(schema));
        var unwritable = sink.Unwritable.OrderBy(u => u.ImportIndex).ToList();
        Assert.Equal([500L, 700L, 900L], unwritable.Select(u => u.ImportIndex!.Value));
        Assert.Null(unwritable[0].Row);
        Assert.IsType<ArgumentNullException>(unwritable[0].Error);
        Assert.Equal(701, unwritable[1].Row!.Id);
        Assert.IsType<InvalidOperationException>(unwritable[1].Error.InnerException);
        Assert.Contains("'note'", unwritable[1].Error.Message, StringComparison.Ordinal);
        Assert.Equal(901, unwritable[2].Row!.Id);
        Assert.Empty(sink.Rejected);
        Assert.Equal((997, 3), (progress[^1].RowsWritten, progress[^1].RowsRejected));
    }

    [Fact]
    public async Task A_WriteAsync_row_whose_getter_throws_faults_alone_and_its_batch_commits()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var sink = new RecordingSink<FragileEvent>();
        // A linger, so the 50 rows share one batch and the bad one is in it.
        await using var writer = new BatchWriter<FragileEvent>(
            dataSource, FragileMap(schema), new BatchWriterOptions { MaxBatchSize = 50, MaxDelay = TimeSpan.FromSeconds(5), SmallBatchInsertLimit = 0 }, rejectedRows: sink);
        var token = TestContext.Current.CancellationToken;

        var writes = Enumerable.Range(1, 50).Select(i => writer.WriteAsync(new FragileEvent(i, Utc, throwsFor: 20), token)).ToList();
        var outcomes = await Task.WhenAll(writes.Select(async w => { try { await w; return null; } catch (ArgumentException e) { return e; } })).WaitAsync(TimeSpan.FromSeconds(30), token);

        var failed = Assert.Single(outcomes, e => e is not null)!;
        Assert.Same(outcomes[19], failed);
        Assert.IsType<InvalidOperationException>(failed.InnerException);
        Assert.Equal((49, 49), await OrderEvent.CountAsync(schema));
        var reported = Assert.Single(sink.Unwritable);
        Assert.Null(reported.ImportIndex);
        Assert.Equal(20, reported.Row!.Id);
    }

    /// <summary>Records each report as it is made (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class SynchronousProgress(List<BatchProgress> reports) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => reports.Add(value);
    }
}
