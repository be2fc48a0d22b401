using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Redis;

/// <summary>The <c>items</c> table the Redis tests read through the cache: row 1 is named <c>old</c> at first.</summary>
internal static class ItemsTable
{
    public const string NameById = "SELECT name FROM items WHERE id = @id";

    public static async Task<TestSchema> CreateAsync(TestServers servers)
    {
        var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'old');");
        return schema;
    }
}
