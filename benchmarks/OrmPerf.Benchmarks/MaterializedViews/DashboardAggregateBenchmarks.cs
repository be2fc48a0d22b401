using BenchmarkDotNet.Attributes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.MaterializedViews;

namespace OrmPerf.Benchmarks.MaterializedViews;

/// <summary>
/// The article's dashboard aggregate (<c>SUM(quantity), AVG(unit_price) ... GROUP BY product_id</c>) over 1,000,000
/// orders of 1,000 products: computed live on every call, against reading the materialized view that
/// <see cref="IMaterializedViews.EnsureCreatedAsync"/> made of the same query; and, for the price side, one
/// <see cref="IMaterializedViews.RefreshAsync"/> of that view (CONCURRENTLY, since it has its unique index).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class DashboardAggregateBenchmarks
{
    private const string Schema = "ormperf_bench_views";
    private const string View = $"{Schema}.product_sales";
    private const int Orders = 1_000_000;
    private const int Products = 1_000;

    private const string Aggregate = $"""
        SELECT product_id, SUM(quantity) AS total_quantity, AVG(unit_price) AS average_unit_price
        FROM {Schema}.orders GROUP BY product_id
        """;

    private const string LiveSql = $"""
        SELECT product_id AS "ProductId", SUM(quantity) AS "TotalQuantity", AVG(unit_price) AS "AverageUnitPrice"
        FROM {Schema}.orders GROUP BY product_id ORDER BY product_id
        """;

    private const string ViewSql = $"""
        SELECT product_id AS "ProductId", total_quantity AS "TotalQuantity", average_unit_price AS "AverageUnitPrice"
        FROM {View} ORDER BY product_id
        """;

    private ServiceProvider _provider = null!;
    private NpgsqlDataSource _primary = null!;
    private IMaterializedViews _views = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = BenchmarkServers.Primary).AddMaterializedViews();
        _provider = services.BuildServiceProvider();
        _primary = _provider.GetRequiredService<NpgsqlDataSource>();
        _views = _provider.GetRequiredService<IMaterializedViews>();

        await BenchmarkSchema.RecreateAsync(_primary, Schema);
        await BenchmarkSchema.ExecuteAsync(
            _primary,
            $"""
            CREATE TABLE {Schema}.orders (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                product_id int NOT NULL,
                customer_id int NOT NULL,
                quantity int NOT NULL,
                unit_price numeric(10, 2) NOT NULL,
                status text NOT NULL,
                created_at timestamptz NOT NULL)
            """,
            "SELECT setseed(0.42)",
            $"""
            INSERT INTO {Schema}.orders (product_id, customer_id, quantity, unit_price, status, created_at)
            SELECT 1 + floor(random() * {Products})::int, 1 + floor(random() * 50000)::int, 1 + floor(random() * 10)::int,
                   round((1 + random() * 99)::numeric, 2), (ARRAY['new', 'paid', 'shipped', 'delivered'])[1 + floor(random() * 4)::int],
                   timestamptz '2026-01-01' + random() * interval '300 days'
            FROM generate_series(1, {Orders})
            """,
            $"VACUUM ANALYZE {Schema}.orders");
        await _views.EnsureCreatedAsync(View, Aggregate, ["product_id"]);
        await BenchmarkSchema.ExecuteAsync(_primary, $"VACUUM ANALYZE {View}");

        var live = await Live();
        var fromView = await FromView();
        if (live.Count != Products || !live.SequenceEqual(fromView))
        {
            throw new InvalidOperationException($"Expected the same {Products} rows live and from the view, got {live.Count} live and {fromView.Count} from the view.");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await BenchmarkSchema.DropAsync(_primary, Schema);
        await _provider.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "Live aggregate over 1M orders")]
    public async Task<IReadOnlyList<ProductSales>> Live()
    {
        await using var connection = await _primary.OpenConnectionAsync();
        return (await connection.QueryAsync<ProductSales>(new CommandDefinition(LiveSql, commandTimeout: 0))).AsList();
    }

    [Benchmark(Description = "Read the materialized view")]
    public async Task<IReadOnlyList<ProductSales>> FromView()
    {
        await using var connection = await _primary.OpenConnectionAsync();
        return (await connection.QueryAsync<ProductSales>(ViewSql)).AsList();
    }

    [Benchmark(Description = "RefreshAsync of the view (CONCURRENTLY)")]
    public Task<MaterializedViewRefreshResult> Refresh() => _views.RefreshAsync(View);

    /// <summary>One dashboard row.</summary>
    public sealed record ProductSales(int ProductId, long TotalQuantity, decimal AverageUnitPrice);
}
