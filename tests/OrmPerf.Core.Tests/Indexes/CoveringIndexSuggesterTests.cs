using OrmPerf.Indexes;

namespace OrmPerf.Core.Tests.Indexes;

/// <summary>Suggestions read from plans that PostgreSQL 15 printed for the article's query.</summary>
public sealed class CoveringIndexSuggesterTests
{
    [Fact]
    public void A_sequential_scan_filter_gives_equality_then_range_keys_and_the_other_output_columns_as_include()
    {
        var suggestion = CoveringIndexSuggester.FromPlan(Plan("""
            "Node Type": "Seq Scan", "Relation Name": "users", "Schema": "app", "Alias": "users",
            "Output": ["id", "last_login"],
            "Filter": "((users.last_login > (now() - '1 day'::interval)) AND (users.email = 'a.b = c'::text))"
            """));

        Assert.NotNull(suggestion);
        Assert.Equal("app.users", suggestion.Table);
        Assert.Equal(["email", "last_login"], suggestion.KeyColumns);
        Assert.Equal(["id"], suggestion.IncludeColumns);
        Assert.Equal("users_email_last_login_covering", suggestion.IndexName);
        Assert.Equal(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS \"users_email_last_login_covering\" ON \"app\".\"users\" (\"email\", \"last_login\") INCLUDE (\"id\")",
            suggestion.CreateStatement);
    }

    [Fact]
    public void An_index_scan_with_an_alias_combines_index_cond_and_filter_under_a_sort()
    {
        var suggestion = CoveringIndexSuggester.FromPlan("""
            [{"Plan": {"Node Type": "Sort", "Output": ["u.id", "u.last_login"], "Sort Key": ["u.last_login"], "Plans": [{
                "Node Type": "Index Scan", "Index Name": "ue", "Relation Name": "users", "Schema": "app", "Alias": "u",
                "Output": ["u.id", "u.last_login", "(u.name || 'x'::text)"],
                "Index Cond": "(u.email = 'user42@example.test'::text)",
                "Filter": "(u.last_login > '2025-01-01 00:00:00+00'::timestamp with time zone)"}]}}]
            """);

        Assert.NotNull(suggestion);
        Assert.Equal(["email", "last_login"], suggestion.KeyColumns);
        Assert.Equal(["id"], suggestion.IncludeColumns);
    }

    [Fact]
    public void A_pattern_and_a_quoted_column_are_keys_after_the_equality_ones()
    {
        var suggestion = CoveringIndexSuggester.FromPlan(Plan("""
            "Node Type": "Seq Scan", "Relation Name": "users", "Schema": "app", "Alias": "users",
            "Output": ["id", "\"LastLogin\""],
            "Filter": "((users.email ~~ 'user4%'::text) AND (users.\"TenantId\" = 7))"
            """));

        Assert.NotNull(suggestion);
        Assert.Equal(["TenantId", "email"], suggestion.KeyColumns);
        Assert.Equal(["id", "LastLogin"], suggestion.IncludeColumns);
    }

    [Fact]
    public void A_scan_without_a_filter_gives_no_suggestion()
    {
        Assert.Null(CoveringIndexSuggester.FromPlan(Plan("""
            "Node Type": "Seq Scan", "Relation Name": "users", "Schema": "app", "Alias": "users", "Output": ["id"]
            """)));
        Assert.Null(CoveringIndexSuggester.FromPlan("""[{"Plan": {"Node Type": "Result", "Output": ["1"]}}]"""));
    }

    private static string Plan(string node) => "[{\"Plan\": {" + node + "}}]";
}
