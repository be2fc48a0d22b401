using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>
/// A map whose every column the writer encodes itself (integers, floats, booleans, uuids, text, bytea, and their
/// nullable forms) is copied without Npgsql's importer: what PostgreSQL stores must be exactly the values given, and a
/// bad row must still be set aside alone, by its position.
/// </summary>
public sealed class EncodedCopyTests(TestServers servers)
{
    private const string CreateTable = """
        CREATE TABLE encoded (
            id bigint PRIMARY KEY,
            small smallint, medium integer, large bigint, single real, double double precision, flag boolean,
            uid uuid, note text CHECK (note <> 'refused'), label varchar(100), data bytea,
            maybe_int integer, maybe_long bigint, maybe_double double precision, maybe_flag boolean, maybe_uid uuid)
        """;

    private sealed record Encoded(
        long Id, short Small, int Medium, long Large, float Single, double Double, bool Flag, Guid Uid, string? Note, string? Label, byte[]? Data,
        int? MaybeInt, long? MaybeLong, double? MaybeDouble, bool? MaybeFlag, Guid? MaybeUid);

    private static TableMap<Encoded> Map(TestSchema schema) => new TableMapBuilder<Encoded>()
        .Table("encoded", schema.Name)
        .Column(e => e.Id).Column(e => e.Small).Column(e => e.Medium).Column(e => e.Large).Column(e => e.Single).Column(e => e.Double)
        .Column(e => e.Flag).Column(e => e.Uid).Column(e => e.Note).Column(e => e.Label, type: NpgsqlTypes.NpgsqlDbType.Varchar).Column(e => e.Data)
        .Column(e => e.MaybeInt).Column(e => e.MaybeLong).Column(e => e.MaybeDouble).Column(e => e.MaybeFlag).Column(e => e.MaybeUid)
        .Key("id")
        .Build();

    private static Encoded Plain(long id) => new(
        id, (short)id, (int)id, id * 1_000_000_007L, id / 4f, id / 3d, id % 2 == 0, Guid.NewGuid(), "note " + id, "label " + id, [(byte)id, 0, 255],
        (int)id, id, id / 7d, id % 3 == 0, Guid.NewGuid());

    [Fact]
    public async Task Every_encodable_type_is_stored_exactly_as_given_with_nulls_extremes_and_rows_larger_than_the_buffer()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync(CreateTable);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<Encoded>(dataSource, Map(schema), new BatchWriterOptions { SmallBatchInsertLimit = 0 });
        var rows = Enumerable.Range(1, 2_000).Select(i => Plain(i)).ToList();
        rows[10] = new Encoded(
            11, short.MinValue, int.MinValue, long.MinValue, float.NegativeInfinity, double.NaN, false, Guid.Empty, "", "", [],
            null, null, null, null, null);
        rows[20] = new Encoded(
            21, short.MaxValue, int.MaxValue, long.MaxValue, float.MaxValue, -0d, true, Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"),
            "naïve café, 東京, 🐘 \t \n \\ end", "ünïcödé", [1, 2, 3], int.MaxValue, long.MinValue, double.Epsilon, false, Guid.Parse("ffeeddcc-bbaa-9988-7766-554433221100"));
        // Larger than the 64 kB copy buffer, so the buffer must grow for it.
        rows[30] = Plain(31) with { Note = new string('x', 100_000) + "é", Data = Enumerable.Range(0, 200_000).Select(b => (byte)b).ToArray() };
        rows[40] = Plain(41) with { Note = null, Label = null, Data = null };

        Assert.Equal(rows.Count, await writer.WriteManyAsync(rows, cancellationToken: TestContext.Current.CancellationToken));

        await using var connection = await dataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var read = new NpgsqlCommand($"SELECT * FROM {schema.Name}.encoded ORDER BY id", connection);
        await using var reader = await read.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var stored = new List<Encoded>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            stored.Add(new Encoded(
                reader.GetInt64(0), reader.GetInt16(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetFloat(4), reader.GetDouble(5), reader.GetBoolean(6),
                reader.GetGuid(7), Nullable<string>(reader, 8), Nullable<string>(reader, 9), Nullable<byte[]>(reader, 10), Nullable<int?>(reader, 11),
                Nullable<long?>(reader, 12), Nullable<double?>(reader, 13), Nullable<bool?>(reader, 14), Nullable<Guid?>(reader, 15)));
        }

        Assert.Equal(rows.Count, stored.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            // Records compare arrays by reference: the bytes are compared apart; -0 and NaN by their bits.
            Assert.Equal(rows[i] with { Data = null }, stored[i] with { Data = null });
            Assert.Equal(rows[i].Data, stored[i].Data);
            Assert.Equal(BitConverter.DoubleToInt64Bits(rows[i].Double), BitConverter.DoubleToInt64Bits(stored[i].Double));
        }
    }

    [Fact]
    public async Task An_unencodable_string_a_throwing_getter_and_a_refused_row_are_set_aside_by_position_and_the_rest_commits()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync(CreateTable);
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        var sink = new RecordingSink<Encoded>();
        var map = new TableMapBuilder<Encoded>()
            .Table("encoded", schema.Name)
            .Column(e => e.Id).Column(e => e.Note).Column(e => e.Label!.Length, "medium")
            .Build();
        await using var writer = new BatchWriter<Encoded>(dataSource, map, new BatchWriterOptions { ImportBatchSize = 400, SmallBatchInsertLimit = 0 }, rejectedRows: sink);
        var rows = Enumerable.Range(1, 1_000).Select(i => i switch
        {
            // A lone surrogate is not UTF-16 PostgreSQL can take: refused on the client, as Npgsql refuses it.
            300 => Plain(i) with { Note = "broken \ud800 text" },
            500 => Plain(i) with { Label = null }, // the getter of "medium" throws
            800 => Plain(i) with { Note = "refused" },
            _ => Plain(i),
        });

        var written = await writer.WriteManyAsync(rows, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(997, written);
        var unwritable = sink.Unwritable.OrderBy(u => u.ImportIndex).ToList();
        Assert.Equal([299L, 499L], unwritable.Select(u => u.ImportIndex!.Value));
        Assert.Contains("'note'", unwritable[0].Error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<ArgumentException>(unwritable[0].Error.InnerException);
        Assert.IsType<NullReferenceException>(unwritable[1].Error.InnerException);
        var refused = Assert.Single(sink.Rejected);
        Assert.Equal(800, refused.Row.Id);
        Assert.Equal(PostgresErrorCodes.CheckViolation, refused.Error.SqlState);
        await using var connection = await dataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {schema.Name}.encoded WHERE id NOT IN (300, 500, 800)", connection);
        Assert.Equal(997L, await count.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    private static TValue Nullable<TValue>(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? default! : reader.GetFieldValue<TValue>(ordinal);
}
