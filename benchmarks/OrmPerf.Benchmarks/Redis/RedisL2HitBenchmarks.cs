using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using OrmPerf.Caching;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace OrmPerf.Benchmarks.Redis;

/// <summary>
/// A second-level hit with a cold first level: the entry (ten small rows) is in Redis, the in-memory entry is evicted
/// before every read. The baseline is the raw limit: StackExchange.Redis <c>StringGetAsync</c> of the bare JSON rows and
/// <c>JsonSerializer.Deserialize</c>. All three use the same <see cref="JsonSerializerOptions"/> and one Redis.
/// OrmPerf's key is precomputed, so the row measures the second-level read path, not key building.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class RedisL2HitBenchmarks
{
    private const string Sql = "SELECT id, name, price FROM products WHERE category = @Category ORDER BY id";
    private const string RawKey = "ormperf-bench:raw:rows";
    private const string FusionKey = "ormperf-bench:fusion:rows";
    private static readonly TimeSpan Duration = TimeSpan.FromMinutes(30);
    private static readonly JsonSerializerOptions SerializerOptions = new() { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    private readonly List<Row> _rows = Enumerable.Range(1, 10).Select(i => new Row(i, "product " + i, i * 1.25m)).ToList();
    private ServiceProvider _provider = null!;
    private IQueryCache _ormPerf = null!;
    private EvictingBackplane _backplane = null!;
    private QueryKey _untaggedKey = null!;
    private QueryKey _taggedKey = null!;
    private QueryCacheEntryOptions _untagged = null!;
    private QueryCacheEntryOptions _tagged = null!;
    private ConnectionMultiplexer _multiplexer = null!;
    private IDatabase _database = null!;
    private JsonTypeInfo<List<Row>> _typeInfo = null!;
    private RedisCache _distributed = null!;
    private MemoryCache _fusionMemory = null!;
    private FusionCache _fusion = null!;
    private int _factoryRuns;

    [GlobalSetup]
    public async Task Setup()
    {
        var services = new ServiceCollection();
        // The connection string is never used: every read is answered by Redis.
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1")
            .AddQueryCache(o => o.SerializerOptions = SerializerOptions)
            .AddRedisCache(o =>
            {
                o.Configuration = BenchmarkServers.Redis;
                o.KeyPrefix = "ormperf-bench:";
                // A loaded machine must not turn a hit into a timed-out miss; the cleanup checks no factory ran.
                o.OperationTimeout = TimeSpan.FromSeconds(5);
            });
        var redisBackplane = services.Single(d => d.ServiceType == typeof(IQueryCacheBackplane) && !d.IsKeyedService);
        services.Remove(redisBackplane);
        services.AddSingleton<IQueryCacheBackplane>(sp => new EvictingBackplane((IQueryCacheBackplane)redisBackplane.ImplementationFactory!(sp)));
        _provider = services.BuildServiceProvider();
        _ormPerf = _provider.GetRequiredService<IQueryCache>();
        _backplane = (EvictingBackplane)_provider.GetRequiredService<IQueryCacheBackplane>();
        _untaggedKey = QueryKey.Create<List<Row>>(Sql, new { Category = 1 });
        _taggedKey = QueryKey.Create<List<Row>>(Sql, new { Category = 2 });
        _untagged = new QueryCacheEntryOptions { Duration = Duration };
        _tagged = new QueryCacheEntryOptions { Duration = Duration, Tags = [QueryCacheTags.ForTable("products")] };
        await _ormPerf.SetAsync(_untaggedKey, _rows, _untagged);
        await _ormPerf.SetAsync(_taggedKey, _rows, _tagged);
        // A tag invalidated long before the entry was written, as in a running service: its time is in Redis.
        await _ormPerf.InvalidateTablesAsync(["other_table"]);

        _multiplexer = await ConnectionMultiplexer.ConnectAsync(BenchmarkServers.Redis);
        _database = _multiplexer.GetDatabase();
        _typeInfo = (JsonTypeInfo<List<Row>>)SerializerOptions.GetTypeInfo(typeof(List<Row>));
        await _database.StringSetAsync(RawKey, JsonSerializer.SerializeToUtf8Bytes(_rows, _typeInfo), Duration);

        _distributed = new RedisCache(new RedisCacheOptions { Configuration = BenchmarkServers.Redis });
        _fusionMemory = new MemoryCache(new MemoryCacheOptions());
        _fusion = new FusionCache(new FusionCacheOptions { DefaultEntryOptions = new FusionCacheEntryOptions { Duration = Duration } }, _fusionMemory);
        _fusion.SetupDistributedCache(_distributed, new FusionCacheSystemTextJsonSerializer(SerializerOptions));
        await _fusion.SetAsync(FusionKey, _rows);

        foreach (var read in new[] { await RawGetAndDeserialize(), await FusionCacheL2Hit(), await OrmPerfL2Hit(), await OrmPerfL2HitTagged() })
        {
            if (read.Count != _rows.Count || _factoryRuns != 0)
            {
                throw new InvalidOperationException($"Expected {_rows.Count} rows read from Redis without running a factory, got {read.Count} rows and {_factoryRuns} factory runs.");
            }
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _database.KeyDeleteAsync([RawKey, FusionKey]);
        _fusion.Dispose();
        _fusionMemory.Dispose();
        _distributed.Dispose();
        await _multiplexer.DisposeAsync();
        await _provider.DisposeAsync();
        if (_factoryRuns != 0)
        {
            throw new InvalidOperationException($"A factory ran {_factoryRuns} times: some reads missed Redis, the figures are not L2 hits.");
        }
    }

    [Benchmark(Baseline = true, Description = "StackExchange.Redis StringGetAsync + JsonSerializer.Deserialize")]
    public async Task<List<Row>> RawGetAndDeserialize()
    {
        var value = await _database.StringGetAsync(RawKey);
        return JsonSerializer.Deserialize(((ReadOnlyMemory<byte>)value).Span, _typeInfo)!;
    }

    [Benchmark(Description = "FusionCache GetOrSetAsync (L1 evicted, L2 hit)")]
    public async Task<List<Row>> FusionCacheL2Hit()
    {
        _fusionMemory.Remove(FusionKey);
        return await _fusion.GetOrSetAsync<List<Row>>(FusionKey, (_, _) => Task.FromResult(Factory()));
    }

    [Benchmark(Description = "OrmPerf GetOrSetAsync (L1 evicted, L2 hit, no tags)")]
    public async Task<List<Row>> OrmPerfL2Hit()
    {
        _backplane.Receiver.EvictLocal(_untaggedKey.Id);
        return await _ormPerf.GetOrSetAsync(_untaggedKey, _ => ValueTask.FromResult(Factory()), _untagged);
    }

    [Benchmark(Description = "OrmPerf GetOrSetAsync (L1 evicted, L2 hit, one table tag)")]
    public async Task<List<Row>> OrmPerfL2HitTagged()
    {
        _backplane.Receiver.EvictLocal(_taggedKey.Id);
        return await _ormPerf.GetOrSetAsync(_taggedKey, _ => ValueTask.FromResult(Factory()), _tagged);
    }

    private List<Row> Factory()
    {
        Interlocked.Increment(ref _factoryRuns);
        return _rows;
    }

    /// <summary>A small row, as a query might return.</summary>
    /// <param name="Id">The key.</param>
    /// <param name="Name">A short text.</param>
    /// <param name="Price">A decimal.</param>
    public sealed record Row(int Id, string Name, decimal Price);
}
