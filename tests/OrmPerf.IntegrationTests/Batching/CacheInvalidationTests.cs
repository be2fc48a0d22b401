using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;
using OrmPerf.Batching;
using OrmPerf.Caching;
using OrmPerf.Changes;
using OrmPerf.Diagnostics;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>With the query cache and a batch writer registered, a committed batch drops the cached reads of its table.</summary>
public sealed class CacheInvalidationTests(TestServers servers)
{
    private const string CountEvents = "SELECT count(*) FROM order_event";

    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_cached_query_sees_rows_written_by_WriteAsync_once_the_write_completes()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var provider = Build(schema, _ => { });
        var (cache, dataSource, writer) = Resolve(provider);

        var before = await CountCachedAsync(dataSource, cache);
        await schema.ExecuteAsync("INSERT INTO order_event VALUES (1000, 1, 'outside', 1, now(), true)");
        var cached = await CountCachedAsync(dataSource, cache);
        await Task.WhenAll(Enumerable.Range(1, 50).Select(i => writer.WriteAsync(OrderEvent.Good(i), _cancellation)));
        var after = await CountCachedAsync(dataSource, cache);

        Assert.Equal(0, before);
        Assert.Equal(0, cached); // the cache serves reads: only the batch writer's commit invalidates them
        Assert.Equal(51, after);
    }

    [Fact]
    public async Task A_cached_query_sees_each_imported_batch()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await using var provider = Build(schema, _ => { });
        var (cache, dataSource, writer) = Resolve(provider);
        await CountCachedAsync(dataSource, cache);
        var seenAfterBatches = new List<long>();

        // Progress is reported once a batch has committed and its change was announced: the cache must already show it.
        // (Blocking inside Report holds up the import's next write, which is what this check wants.)
        var progress = new SynchronousProgress(p => seenAfterBatches.Add(CountCachedAsync(dataSource, cache).GetAwaiter().GetResult()));
        await writer.WriteManyAsync(Enumerable.Range(1, 250).Select(i => OrderEvent.Good(i)), progress, _cancellation);

        Assert.Equal([100, 200, 250], seenAfterBatches);
        Assert.Equal(250, await CountCachedAsync(dataSource, cache));
    }

    [Fact]
    public async Task A_failing_listener_is_logged_and_neither_faults_the_write_nor_stops_other_listeners()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        var logs = new FakeLogCollector();
        await using var provider = Build(schema, services =>
        {
            services.AddSingleton<ILoggerProvider>(new FakeLoggerProvider(logs));
            services.AddSingleton<ITableChangeListener, ThrowingListener>();
        });
        var (cache, dataSource, writer) = Resolve(provider);
        await CountCachedAsync(dataSource, cache);

        await writer.WriteAsync(OrderEvent.Good(1), _cancellation);

        Assert.Equal(1, await CountCachedAsync(dataSource, cache));
        var failure = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == OrmPerfEventId.ChangeListenerFailed);
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.IsType<InvalidOperationException>(failure.Exception);
        Assert.Contains($"{nameof(ThrowingListener)} failed after a batch committed to table {schema.Name}.order_event", failure.Message, StringComparison.Ordinal);
    }

    private ServiceProvider Build(TestSchema schema, Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        configure(services);
        services.AddOrmPerf(o => o.ConnectionString = schema.Primary)
            .AddQueryCache()
            .AddBatchWriter<OrderEvent>(
                map => map.Table("order_event", schema.Name)
                    .Column(e => e.Id).Column(e => e.Quantity).Column(e => e.Note)
                    .Column(e => e.Amount).Column(e => e.CreatedAt).Column(e => e.Paid),
                o => { o.ImportBatchSize = 100; o.MaxDelay = TimeSpan.FromMilliseconds(10); });
        return services.BuildServiceProvider();
    }

    private static (IQueryCache Cache, NpgsqlDataSource DataSource, IBatchWriter<OrderEvent> Writer) Resolve(ServiceProvider provider) =>
        (provider.GetRequiredService<IQueryCache>(), provider.GetRequiredService<NpgsqlDataSource>(), provider.GetRequiredService<IBatchWriter<OrderEvent>>());

    private async Task<long> CountCachedAsync(NpgsqlDataSource dataSource, IQueryCache cache) =>
        await dataSource.QuerySingleOrDefaultCachedAsync<long>(cache, CountEvents, cancellationToken: _cancellation);

    private sealed class SynchronousProgress(Action<BatchProgress> report) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => report(value);
    }

    private sealed class ThrowingListener : ITableChangeListener
    {
        public ValueTask OnTablesChangedAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("listener broke");
    }
}
