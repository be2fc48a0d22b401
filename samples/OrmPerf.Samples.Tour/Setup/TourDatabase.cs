using Dapper;
using Npgsql;

namespace OrmPerf.Samples.Tour.Setup;

/// <summary>
/// The tour's own schema in the database it is given: created with its tables and seeded data, dropped at the end.
/// Everything the tour touches lives in it, so a run leaves the database as it found it.
/// </summary>
internal sealed class TourDatabase(string serverConnectionString, string schema)
{
    public string Schema { get; } = schema;

    /// <summary>The connection string with <c>search_path</c> set to the schema, so the tour's SQL names tables plainly.</summary>
    public string InSchema(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = Schema }.ConnectionString;

    public static TourDatabase WithNewSchema(string serverConnectionString) =>
        new(serverConnectionString, "ormperf_tour_" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Creates the schema and its tables; returns the server's version for the report.</summary>
    public async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition($"CREATE SCHEMA {Schema}", cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            SET search_path TO {Schema};
            CREATE TABLE customers (
                id bigint PRIMARY KEY, email text NOT NULL, name text NOT NULL, country text NOT NULL,
                last_login timestamptz NOT NULL, created_at timestamptz NOT NULL, bio text NOT NULL, preferences jsonb NOT NULL);
            CREATE TABLE products (
                id bigint PRIMARY KEY, sku text NOT NULL, name text NOT NULL, category text NOT NULL,
                price numeric(10,2) NOT NULL, description text NOT NULL, stock integer NOT NULL);
            CREATE TABLE orders (
                id bigint PRIMARY KEY, customer_id bigint NOT NULL, product_id bigint NOT NULL, quantity integer NOT NULL,
                amount numeric(12,2) NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL);
            CREATE TABLE order_events (
                id bigint PRIMARY KEY, order_id bigint NOT NULL, kind text NOT NULL, amount numeric(12,2) NOT NULL, created_at timestamptz NOT NULL);
            """,
            cancellationToken: cancellationToken));
        return connection.PostgreSqlVersion.ToString();
    }

    /// <summary>
    /// Generates the data on the server (generate_series), seeded with <c>setseed</c> in the same session so that every
    /// run gets the same rows and the timings of two runs compare the same work. Then VACUUM ANALYZE: fresh statistics
    /// for the planner and a visibility map, without which no index-only scan is possible.
    /// </summary>
    public async Task SeedAsync(TourSizes sizes, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            SET search_path TO {Schema};
            SELECT setseed(0.42);
            INSERT INTO customers
            SELECT i,
                   'customer' || i || '@example.com',
                   (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Ken','Margaret'])[1 + i % 8] || ' '
                       || (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Thompson','Hamilton'])[1 + (i / 8) % 8],
                   (ARRAY['DE','FR','US','GB','JP','BR','IN','NL','SE','ES'])[1 + floor(random() * 10)::int],
                   timestamptz '2026-01-01 00:00Z' - random() * interval '365 days',
                   timestamptz '2022-01-01 00:00Z' + random() * interval '1400 days',
                   repeat(md5(i::text), 8),
                   jsonb_build_object('newsletter', random() < 0.5, 'theme', 'dark', 'language', 'en', 'currency', 'EUR')
            FROM generate_series(1, @customers) AS i;
            INSERT INTO products
            SELECT i,
                   'SKU-' || lpad(i::text, 6, '0'),
                   'Product ' || i,
                   'category-' || lpad((1 + floor(random() * 20))::int::text, 2, '0'),
                   round((5 + random() * 195)::numeric, 2),
                   repeat(md5((-i)::text), 6),
                   1000000
            FROM generate_series(1, @products) AS i;
            INSERT INTO orders
            SELECT i,
                   1 + floor(random() * @customers)::bigint,
                   1 + floor(random() * @products)::bigint,
                   1 + floor(random() * 5)::int,
                   round((5 + random() * 500)::numeric, 2),
                   (ARRAY['paid','shipped','delivered','refunded'])[1 + floor(random() * 4)::int],
                   timestamptz '2026-01-01 00:00Z' - random() * interval '365 days'
            FROM generate_series(1, @orders) AS i;
            """,
            new { customers = sizes.Customers, products = sizes.Products, orders = sizes.Orders },
            commandTimeout: 300, cancellationToken: cancellationToken));

        // VACUUM refuses to run in a transaction block, and one multi-statement command is one: one table per command.
        foreach (var table in new[] { "customers", "products", "orders" })
        {
            await connection.ExecuteAsync(new CommandDefinition($"VACUUM ANALYZE {Schema}.{table}", commandTimeout: 300, cancellationToken: cancellationToken));
        }
    }

    /// <summary>Drops the schema and everything in it. Never cancelled: it is what Ctrl+C must still do.</summary>
    public async Task DropAsync()
    {
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(serverConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
