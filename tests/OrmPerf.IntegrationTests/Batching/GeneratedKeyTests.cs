using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>Rows written with a generated key hold, once written, the key the table stored them under.</summary>
public sealed class GeneratedKeyTests(TestServers servers)
{
    private sealed class Receipt
    {
        public int Number { get; set; }

        public string Text { get; init; } = "";
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1_000)]
    public async Task Concurrent_producers_get_distinct_keys_under_which_their_rows_are_stored(int smallBatchInsertLimit)
    {
        await using var schema = await Ticket.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<Ticket>(dataSource, Ticket.Map(schema), new BatchWriterOptions
        {
            MaxBatchSize = 64,
            MaxDelay = TimeSpan.FromMilliseconds(5),
            SmallBatchInsertLimit = smallBatchInsertLimit,
        });
        var tickets = Enumerable.Range(1, 32 * 40).Select(Ticket.Numbered).ToList();

        await Task.WhenAll(tickets.Chunk(40).Select(async own =>
        {
            foreach (var ticket in own)
            {
                await writer.WriteAsync(ticket, TestContext.Current.CancellationToken);
                Assert.True(ticket.Id > 0, "the key was not set when the write completed");
            }
        }));

        await Ticket.AssertStoredUnderTheirKeysAsync(schema, tickets);
    }

    [Fact]
    public async Task An_import_into_an_identity_column_generated_always_gets_its_keys_and_keeps_an_explicit_one()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("""CREATE TABLE "Receipts" ("No" integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, text text NOT NULL)""");
        var map = new TableMapBuilder<Receipt>().Table("Receipts", schema.Name).GeneratedKey(r => r.Number, "No").Column(r => r.Text).Build();
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<Receipt>(dataSource, map, new BatchWriterOptions { ImportBatchSize = 300 });
        await writer.StartAsync(TestContext.Current.CancellationToken);
        var receipts = Enumerable.Range(1, 1_000).Select(i => new Receipt { Text = "r" + i, Number = i == 500 ? 1_000_000 : 0 }).ToList();
        var single = new Receipt { Text = "single" };

        var written = await writer.WriteManyAsync(receipts, cancellationToken: TestContext.Current.CancellationToken);
        await writer.WriteAsync(single, TestContext.Current.CancellationToken);

        Assert.Equal(1_000, written);
        Assert.Equal(1_000_000, receipts[499].Number);
        receipts.Add(single);
        Assert.Equal(receipts.Count, receipts.Select(r => r.Number).Distinct().Count());
        await using var connection = new NpgsqlConnection(schema.Primary);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("""SELECT "No", text FROM "Receipts" """, connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var stored = new Dictionary<int, string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            stored.Add(reader.GetInt32(0), reader.GetString(1));
        }

        Assert.Equal(receipts.ToDictionary(r => r.Number, r => r.Text), stored);
    }

    [Fact]
    public async Task Bad_rows_are_isolated_and_every_good_row_keeps_the_key_it_was_stored_under()
    {
        await using var schema = await Ticket.CreateSchemaAsync(servers);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var sink = new RecordingSink<Ticket>();
        await using var writer = new BatchWriter<Ticket>(dataSource, Ticket.Map(schema), new BatchWriterOptions { ImportBatchSize = 500 }, rejectedRows: sink);
        var tickets = Enumerable.Range(1, 2_000)
            .Select(i => i is 3 or 777 or 1_999 ? new Ticket { Title = "bad " + i, Seats = -1 } : Ticket.Numbered(i))
            .ToList();

        var written = await writer.WriteManyAsync(tickets, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1_997, written);
        Assert.Equal(["bad 1999", "bad 3", "bad 777"], sink.Rejected.Select(r => r.Row.Title).Order(StringComparer.Ordinal));
        var good = tickets.Where(t => t.Seats >= 0).ToList();
        await Ticket.AssertStoredUnderTheirKeysAsync(schema, good);
    }

    [Fact]
    public async Task A_key_whose_default_is_nextval_of_a_sequence_it_does_not_own_gets_its_keys_as_in_a_pg_dump_schema()
    {
        await using var schema = await servers.CreateSchemaAsync();
        // What pg_dump writes for a legacy table whose sequence was created apart: no OWNED BY, so
        // pg_get_serial_sequence knows nothing of it; only the column's default names it. The sequence sits in another
        // schema on purpose, and starts high, so the keys can only have come from it.
        await schema.ExecuteAsync($$"""
            CREATE SCHEMA {{schema.Name}}_seqs;
            CREATE TABLE payment (payment_id integer NOT NULL, text text NOT NULL);
            CREATE SEQUENCE {{schema.Name}}_seqs.payment_payment_id_seq AS integer START WITH 5000 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
            ALTER TABLE ONLY payment ALTER COLUMN payment_id SET DEFAULT nextval('{{schema.Name}}_seqs.payment_payment_id_seq'::regclass);
            ALTER TABLE ONLY payment ADD CONSTRAINT payment_pkey PRIMARY KEY (payment_id);
            """);
        try
        {
            var map = new TableMapBuilder<Receipt>().Table("payment", schema.Name).GeneratedKey(r => r.Number, "payment_id").Column(r => r.Text).Build();
            await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
            await using var writer = new BatchWriter<Receipt>(dataSource, map, new BatchWriterOptions { ImportBatchSize = 100 });
            await writer.StartAsync(TestContext.Current.CancellationToken);
            var receipts = Enumerable.Range(1, 300).Select(i => new Receipt { Text = "r" + i }).ToList();
            var single = new Receipt { Text = "single" };

            Assert.Equal(300, await writer.WriteManyAsync(receipts, cancellationToken: TestContext.Current.CancellationToken));
            await writer.WriteAsync(single, TestContext.Current.CancellationToken);

            receipts.Add(single);
            Assert.All(receipts, r => Assert.InRange(r.Number, 5_000, 5_000 + 301 - 1));
            Assert.Equal(receipts.Count, receipts.Select(r => r.Number).Distinct().Count());
            await using var connection = new NpgsqlConnection(schema.Primary);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            var stored = (await Dapper.SqlMapper.QueryAsync<(int Id, string Text)>(connection, "SELECT payment_id, text FROM payment")).ToDictionary(r => r.Id, r => r.Text);
            Assert.Equal(receipts.ToDictionary(r => r.Number, r => r.Text), stored);
        }
        finally
        {
            await schema.ExecuteAsync($"DROP SCHEMA {schema.Name}_seqs CASCADE");
        }
    }

    [Fact]
    public async Task A_generated_key_on_a_column_that_no_sequence_fills_fails_at_start_naming_column_and_member()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE ticket (id bigint PRIMARY KEY, title text NOT NULL, seats integer NOT NULL)");
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<Ticket>(dataSource, Ticket.Map(schema));

        var error = await Assert.ThrowsAsync<TableMapMismatchException>(() => writer.StartAsync(TestContext.Current.CancellationToken));

        var problem = Assert.Single(error.Problems);
        Assert.Contains("column 'id'", problem, StringComparison.Ordinal);
        Assert.Contains("Ticket.Id", problem, StringComparison.Ordinal);
        Assert.Contains("no sequence", problem, StringComparison.Ordinal);
    }
}
