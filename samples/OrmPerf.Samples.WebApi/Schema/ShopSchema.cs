using Npgsql;
using OrmPerf.MaterializedViews;

namespace OrmPerf.Samples.WebApi.Schema;

/// <summary>
/// Creates the shop's schema, tables, a few products and customers, and the dashboard's materialized view when the
/// host starts. Idempotent, so every start (and every instance) runs it. Registered before OrmPerf's hosted services,
/// so the tables exist when the batch writer checks its map against them.
/// </summary>
internal sealed class ShopSchema(NpgsqlDataSource primary, IMaterializedViews views, ShopSettings settings) : IHostedService
{
    /// <summary>The dashboard's materialized view, unqualified (the search path holds the shop's schema).</summary>
    public const string SalesSummary = "sales_summary";

    private const string SalesSummarySelect = """
        SELECT p.id AS product_id, p.name, count(o.id) AS orders, coalesce(sum(o.quantity), 0)::bigint AS units,
               coalesce(sum(o.amount), 0)::numeric(14,2) AS revenue
        FROM products p LEFT JOIN order_events o ON o.product_id = p.id
        GROUP BY p.id, p.name
        """;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The schema name was validated as a plain lower-case SQL name; quoted all the same.
        var schema = '"' + settings.Schema + '"';
        await using (var batch = primary.CreateBatch())
        {
            foreach (var sql in new[]
            {
                $"CREATE SCHEMA IF NOT EXISTS {schema}",
                $"""
                CREATE TABLE IF NOT EXISTS {schema}.products (
                    id bigint PRIMARY KEY,
                    name text NOT NULL,
                    price numeric(10,2) NOT NULL CHECK (price >= 0),
                    updated_at timestamptz NOT NULL DEFAULT now())
                """,
                $"""
                CREATE TABLE IF NOT EXISTS {schema}.customers (
                    id bigint PRIMARY KEY,
                    name text NOT NULL,
                    email text NOT NULL UNIQUE)
                """,
                $"""
                CREATE TABLE IF NOT EXISTS {schema}.order_events (
                    id uuid PRIMARY KEY,
                    customer_id bigint NOT NULL REFERENCES {schema}.customers,
                    product_id bigint NOT NULL REFERENCES {schema}.products,
                    quantity integer NOT NULL CHECK (quantity > 0),
                    amount numeric(12,2) NOT NULL,
                    created_at timestamptz NOT NULL)
                """,
                $"CREATE INDEX IF NOT EXISTS order_events_by_customer ON {schema}.order_events (customer_id, created_at DESC)",
                $"""
                INSERT INTO {schema}.products (id, name, price) VALUES
                    (1, 'Espresso beans 1 kg', 24.90), (2, 'Milk frother', 39.00), (3, 'Ceramic cup', 9.50),
                    (4, 'Grinder', 129.00), (5, 'Descaler', 7.20)
                ON CONFLICT (id) DO NOTHING
                """,
                $"""
                INSERT INTO {schema}.customers (id, name, email) VALUES
                    (1, 'Ada', 'ada@example.com'), (2, 'Grace', 'grace@example.com'), (3, 'Linus', 'linus@example.com')
                ON CONFLICT (id) DO NOTHING
                """,
            })
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await views.EnsureCreatedAsync($"{settings.Schema}.{SalesSummary}", SalesSummarySelect, ["product_id"], cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
