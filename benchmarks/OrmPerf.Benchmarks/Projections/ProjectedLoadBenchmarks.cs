using BenchmarkDotNet.Attributes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.Projections;

namespace OrmPerf.Benchmarks.Projections;

/// <summary>
/// One page of 100 orders from a wide table (22 columns, with a ~2 KB notes column and a jsonb payload) through Dapper:
/// <c>SELECT *</c> into the full entity, against the five columns a list screen shows, selected by
/// <see cref="KeysetPagination.PageSql{TDto}"/> from the DTO (<see cref="Projection"/>'s select list).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class ProjectedLoadBenchmarks
{
    private const string Schema = "ormperf_bench_projections";
    private const string Table = $"{Schema}.orders";
    private const int Rows = 20_000;
    private const string FullRowSql = $"SELECT * FROM {Table} WHERE id > @after_id ORDER BY id LIMIT @limit";
    private static readonly object Page = new { after_id = 10_000L, limit = 100 };

    private ServiceProvider _provider = null!;
    private NpgsqlDataSource _primary = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        // SELECT * returns snake_case names; this is how a SELECT * codebase maps them to the entity.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = BenchmarkServers.Primary);
        _provider = services.BuildServiceProvider();
        _primary = _provider.GetRequiredService<NpgsqlDataSource>();

        await BenchmarkSchema.RecreateAsync(_primary, Schema);
        await BenchmarkSchema.ExecuteAsync(
            _primary,
            $"""
            CREATE TABLE {Table} (
                id bigint PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL, total numeric(12, 2) NOT NULL,
                created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, currency text NOT NULL,
                shipping_name text NOT NULL, shipping_street text NOT NULL, shipping_city text NOT NULL,
                shipping_postcode text NOT NULL, shipping_country text NOT NULL,
                billing_name text NOT NULL, billing_street text NOT NULL, billing_city text NOT NULL,
                billing_postcode text NOT NULL, billing_country text NOT NULL,
                coupon_code text, gift_message text, notes text NOT NULL, payload jsonb NOT NULL, tracking_number text)
            """,
            "SELECT setseed(0.42)",
            $"""
            INSERT INTO {Table}
            SELECT g, 1 + floor(random() * 5000)::int, (ARRAY['new', 'paid', 'shipped'])[1 + floor(random() * 3)::int],
                   round((random() * 500)::numeric, 2), timestamptz '2026-01-01' + g * interval '1 minute',
                   timestamptz '2026-01-02' + g * interval '1 minute', 'EUR',
                   'Customer ' || g, g || ' Long Street', 'Springfield', lpad(g::text, 5, '0'), 'NL',
                   'Customer ' || g, g || ' Long Street', 'Springfield', lpad(g::text, 5, '0'), 'NL',
                   CASE WHEN g % 5 = 0 THEN 'SAVE10' END, CASE WHEN g % 7 = 0 THEN 'Happy birthday!' END,
                   (SELECT string_agg(md5(g::text || i::text), ' ') FROM generate_series(1, 60) i),
                   jsonb_build_object('items', (SELECT jsonb_agg(jsonb_build_object('sku', 'SKU-' || (g + i), 'qty', 1 + i % 3, 'price', i * 1.5))
                                                FROM generate_series(1, 10) i), 'channel', 'web'),
                   'TRK' || g
            FROM generate_series(1, {Rows}) g
            """,
            $"VACUUM ANALYZE {Table}");

        var full = await FullRow();
        var projected = await Projected();
        if (full.Count != 100 || projected.Count != 100 || full[0].Id != projected[0].Id || full[0].Total != projected[0].Total)
        {
            throw new InvalidOperationException($"Expected the same 100 orders both ways, got {full.Count} full rows and {projected.Count} projected.");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await BenchmarkSchema.DropAsync(_primary, Schema);
        await _provider.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "SELECT * into the full entity (100 rows)")]
    public async Task<IReadOnlyList<Order>> FullRow()
    {
        await using var connection = await _primary.OpenConnectionAsync();
        return (await connection.QueryAsync<Order>(FullRowSql, Page)).AsList();
    }

    [Benchmark(Description = "Projected DTO, 5 columns (100 rows)")]
    public async Task<IReadOnlyList<OrderListItem>> Projected()
    {
        await using var connection = await _primary.OpenConnectionAsync();
        var sql = KeysetPagination.PageSql<OrderListItem>(Table, ["id"], afterCursor: true);
        return (await connection.QueryAsync<OrderListItem>(sql, Page)).AsList();
    }

    /// <summary>What a list screen shows.</summary>
    public sealed class OrderListItem
    {
        /// <summary>The key.</summary>
        public long Id { get; set; }

        /// <summary>The customer.</summary>
        public int CustomerId { get; set; }

        /// <summary>The state.</summary>
        public string Status { get; set; } = "";

        /// <summary>The amount.</summary>
        public decimal Total { get; set; }

        /// <summary>When it was placed.</summary>
        public DateTime CreatedAt { get; set; }
    }

    /// <summary>The full entity, as an ORM would load it.</summary>
    public sealed class Order
    {
        /// <summary>The key.</summary>
        public long Id { get; set; }

        /// <summary>The customer.</summary>
        public int CustomerId { get; set; }

        /// <summary>The state.</summary>
        public string Status { get; set; } = "";

        /// <summary>The amount.</summary>
        public decimal Total { get; set; }

        /// <summary>When it was placed.</summary>
        public DateTime CreatedAt { get; set; }

        /// <summary>When it last changed.</summary>
        public DateTime UpdatedAt { get; set; }

        /// <summary>The currency.</summary>
        public string Currency { get; set; } = "";

        /// <summary>Shipping address.</summary>
        public string ShippingName { get; set; } = "";

        /// <summary>Shipping address.</summary>
        public string ShippingStreet { get; set; } = "";

        /// <summary>Shipping address.</summary>
        public string ShippingCity { get; set; } = "";

        /// <summary>Shipping address.</summary>
        public string ShippingPostcode { get; set; } = "";

        /// <summary>Shipping address.</summary>
        public string ShippingCountry { get; set; } = "";

        /// <summary>Billing address.</summary>
        public string BillingName { get; set; } = "";

        /// <summary>Billing address.</summary>
        public string BillingStreet { get; set; } = "";

        /// <summary>Billing address.</summary>
        public string BillingCity { get; set; } = "";

        /// <summary>Billing address.</summary>
        public string BillingPostcode { get; set; } = "";

        /// <summary>Billing address.</summary>
        public string BillingCountry { get; set; } = "";

        /// <summary>A coupon, if any.</summary>
        public string? CouponCode { get; set; }

        /// <summary>A gift message, if any.</summary>
        public string? GiftMessage { get; set; }

        /// <summary>Free text, about 2 KB.</summary>
        public string Notes { get; set; } = "";

        /// <summary>The order lines, as jsonb text.</summary>
        public string Payload { get; set; } = "";

        /// <summary>The carrier's number.</summary>
        public string? TrackingNumber { get; set; }
    }
}
