using System.ComponentModel.DataAnnotations.Schema;
using OrmPerf.Projections;

namespace OrmPerf.Core.Tests.Projections;

public sealed class ProjectionTests
{
    [Fact]
    public void Builds_a_quoted_select_list_with_snake_case_and_column_attributes()
    {
        Assert.Equal(
            "\"id\", \"email_address\" AS \"Email\", \"last_login\" AS \"LastLogin\", \"http_status\" AS \"HTTPStatus\", \"user_id\" AS \"UserID\"",
            Projection.SelectList<UserSummary>());
        Assert.Equal(["id", "email_address", "last_login", "http_status", "user_id"], Projection.ColumnsOf<UserSummary>().Select(c => c.Column));
    }

    [Fact]
    public void Builds_the_select_statement_and_caches_per_type()
    {
        Assert.Equal(
            "SELECT \"id\", \"email_address\" AS \"Email\", \"last_login\" AS \"LastLogin\", \"http_status\" AS \"HTTPStatus\", \"user_id\" AS \"UserID\" FROM \"app\".\"users\" WHERE id = @id",
            Projection.Select<UserSummary>("app.users", "id = @id"));
        Assert.Same(Projection.ColumnsOf<UserSummary>(), Projection.ColumnsOf<UserSummary>());
    }

    [Fact]
    public void A_column_attribute_with_injected_sql_is_rejected_with_the_type_named()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Projection.SelectList<Injected>());
        Assert.Contains(nameof(Injected), error.Message);
        Assert.Throws<ArgumentException>(() => Projection.Select<UserSummary>("users; DROP TABLE users"));
    }

    [Fact]
    public void A_type_without_properties_is_rejected() =>
        Assert.Throws<InvalidOperationException>(() => Projection.SelectList<object>());

    [Theory]
    [InlineData("Id", "id")]
    [InlineData("LastLogin", "last_login")]
    [InlineData("HTTPStatus", "http_status")]
    [InlineData("UserID", "user_id")]
    [InlineData("Address2Line", "address2_line")]
    [InlineData("already_snake", "already_snake")]
    public void Snake_case_treats_acronyms_as_words(string name, string expected) =>
        Assert.Equal(expected, SnakeCase.From(name));

    private sealed class UserSummary
    {
        public long Id { get; set; }

        [Column("email_address")]
        public string Email { get; set; } = "";

        public DateTime LastLogin { get; set; }

        public int HTTPStatus { get; set; }

        public long UserID { get; set; }

        [NotMapped]
        public string Display => $"{Id} {Email}";
    }

    private sealed class Injected
    {
        [Column("name\"; DROP TABLE users; --")]
        public string Name { get; set; } = "";
    }
}
