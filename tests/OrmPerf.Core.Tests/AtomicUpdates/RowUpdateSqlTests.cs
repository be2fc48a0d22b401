using OrmPerf.AtomicUpdates;

namespace OrmPerf.Core.Tests.AtomicUpdates;

public sealed class RowUpdateSqlTests
{
    [Fact]
    public void Sets_increments_and_json_paths_in_one_quoted_statement() =>
        Assert.Equal(
            "UPDATE \"app\".\"users\" SET \"last_login\" = @p1, \"logins\" = \"logins\" + @p2, \"settings\" = jsonb_set(COALESCE(\"settings\", '{}'::jsonb), @p3, @p4::jsonb, true) WHERE \"id\" = @key",
            RowUpdate.Of("app.users", "id", 7).Set("last_login", DateTime.UtcNow).Increment("logins").SetJsonPath("settings", ["theme"], "\"dark\"").ToSql());

    [Fact]
    public void A_version_column_guards_and_bumps_the_version() =>
        Assert.Equal(
            "UPDATE \"users\" SET \"name\" = @p2, \"version\" = \"version\" + 1 WHERE \"id\" = @key AND \"version\" = @expected_version RETURNING \"version\"",
            RowUpdate.Of("users", "id", 7).WithVersion("version", 3).Set("name", "x").ToSql());

    [Fact]
    public void Injected_names_an_empty_path_and_an_empty_update_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => RowUpdate.Of("users; DROP TABLE users", "id", 1));
        Assert.Throws<ArgumentException>(() => RowUpdate.Of("users", "id", 1).Set("name = 'x', admin", true));
        Assert.Throws<ArgumentException>(() => RowUpdate.Of("users", "id", 1).SetJsonPath("settings", [], "1"));
        Assert.Contains("users", Assert.Throws<InvalidOperationException>(() => RowUpdate.Of("users", "id", 1).ToSql()).Message);
    }
}
