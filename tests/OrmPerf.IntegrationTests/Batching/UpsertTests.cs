using Dapper;
using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>Upserts go through a temporary table and <c>INSERT … ON CONFLICT</c> in the batch's transaction.</summary>
public sealed class UpsertTests(TestServers servers)
{
    [Theory]
    [InlineData(WriteMode.Upsert, 0, "new 2")]
    [InlineData(WriteMode.InsertOrIgnore, 0, "old 2")]
    [InlineData(WriteMode.Upsert, 16, "new 2")]
    [InlineData(WriteMode.InsertOrIgnore, 16, "old 2")]
    public async Task Existing_keys_are_updated_or_kept_and_new_keys_inserted_through_copy_or_one_statement(
        WriteMode mode, int smallBatchInsertLimit, string expectedNote)
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await schema.ExecuteAsync("INSERT INTO order_event VALUES (1, 1, 'old 1', 1, now(), true), (2, 2, 'old 2', 2, now(), true)");
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<OrderEvent>(dataSource, OrderEvent.Map(schema), new BatchWriterOptions { Mode = mode, SmallBatchInsertLimit = smallBatchInsertLimit });

        var written = await writer.WriteManyAsync(
            Enumerable.Range(2, 3).Select(i => OrderEvent.Good(i) with { Note = "new " + i }), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(3, written);
        await using var connection = new NpgsqlConnection(schema.Primary);
        var notes = (await connection.QueryAsync<string>("SELECT note FROM order_event ORDER BY id")).ToList();
        Assert.Equal(["old 1", expectedNote, "new 3", "new 4"], notes);
    }
}
