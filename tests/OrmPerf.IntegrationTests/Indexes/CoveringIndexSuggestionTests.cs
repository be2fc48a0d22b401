using Npgsql;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.Indexes;

namespace OrmPerf.IntegrationTests.Indexes;

/// <summary>A covering index suggested from the article query's plan, created, and checked with the plan.</summary>
public sealed class CoveringIndexSuggestionTests(TestServers servers)
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_suggested_index_turns_the_article_query_into_an_index_only_scan_on_it()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("""
            CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text, bio text, last_login timestamptz NOT NULL);
            INSERT INTO users SELECT g, 'user' || g || '@example.test', 'name ' || g, repeat('x', 100), now() - g * interval '1 minute'
            FROM generate_series(1, 20000) g;
            ANALYZE users;
            """);
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var advisor = new PostgresIndexAdvisor(dataSource, TimeProvider.System);
        const string Query = "SELECT id, last_login FROM users WHERE email = @email AND last_login > @since";
        var parameters = new { email = "user42@example.test", since = DateTime.UtcNow.AddDays(-1) };

        var suggestion = await advisor.SuggestCoveringIndexAsync(Query, parameters, _cancellation);
        Assert.NotNull(suggestion);
        Assert.Equal($"{schema.Name}.users", suggestion.Table);
        Assert.Equal(["email", "last_login"], suggestion.KeyColumns);
        Assert.Equal(["id"], suggestion.IncludeColumns);
        Assert.False((await advisor.ExplainAsync(Query, parameters, _cancellation)).UsesIndexOnlyScanOn(suggestion.IndexName));

        var plan = await advisor.CreateSuggestedIndexAsync(suggestion, Query, parameters, cancellationToken: _cancellation);

        Assert.True(plan.UsesIndexOnlyScanOn(suggestion.IndexName), plan.PlanJson);
        Assert.False(plan.UsesIndexOnlyScanOn("some_other_index"));
    }
}
