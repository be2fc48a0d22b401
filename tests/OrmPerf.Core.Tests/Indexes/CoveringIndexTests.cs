using OrmPerf.Indexes;

namespace OrmPerf.Core.Tests.Indexes;

public sealed class CoveringIndexTests
{
    [Fact]
    public void Builds_quoted_concurrent_ddl_with_include_columns() =>
        Assert.Equal(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS \"users_email_last_login_covering\" ON \"app\".\"users\" (\"email\", \"last_login\") INCLUDE (\"id\")",
            CoveringIndex.CreateStatement("app.users", ["email", "last_login"], ["id"]));

    [Fact]
    public void Takes_a_name_and_may_build_without_concurrently_or_include() =>
        Assert.Equal(
            "CREATE INDEX IF NOT EXISTS \"by_email\" ON \"users\" (\"email\")",
            CoveringIndex.CreateStatement("users", ["email"], [], "by_email", concurrently: false));

    [Theory]
    [InlineData("users; DROP TABLE x", "email", "id")]
    [InlineData("users", "email) WHERE (true", "id")]
    [InlineData("users", "email", "id\"")]
    public void Rejects_injected_names(string table, string key, string include) =>
        Assert.Throws<ArgumentException>(() => CoveringIndex.CreateStatement(table, [key], [include]));

    [Fact]
    public void Needs_a_key_column() =>
        Assert.Contains("'users'", Assert.Throws<ArgumentException>(() => CoveringIndex.CreateStatement("users", [], ["id"])).Message);
}
