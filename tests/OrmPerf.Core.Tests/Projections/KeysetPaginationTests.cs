using OrmPerf.Projections;

namespace OrmPerf.Core.Tests.Projections;

public sealed class KeysetPaginationTests
{
    [Fact]
    public void The_first_page_has_no_cursor_condition() =>
        Assert.Equal(
            "SELECT \"id\", \"created_at\" AS \"CreatedAt\" FROM \"orders\" ORDER BY \"created_at\", \"id\" LIMIT @limit",
            KeysetPagination.PageSql<OrderRow>("orders", ["created_at", "id"], afterCursor: false));

    [Fact]
    public void Later_pages_seek_past_the_previous_last_row_with_a_row_comparison() =>
        Assert.Equal(
            "SELECT \"id\", \"created_at\" AS \"CreatedAt\" FROM \"orders\" WHERE (customer_id = @customer) AND (\"created_at\", \"id\") > (@after_created_at, @after_id) ORDER BY \"created_at\", \"id\" LIMIT @limit",
            KeysetPagination.PageSql<OrderRow>("orders", ["created_at", "id"], afterCursor: true, where: "customer_id = @customer"));

    [Fact]
    public void Descending_pages_seek_downwards() =>
        Assert.Equal(
            "SELECT \"id\", \"created_at\" AS \"CreatedAt\" FROM \"orders\" WHERE (\"id\") < (@after_id) ORDER BY \"id\" DESC LIMIT @limit",
            KeysetPagination.PageSql<OrderRow>("orders", ["id"], afterCursor: true, descending: true));

    [Fact]
    public void Rejects_no_keys_and_injected_keys()
    {
        Assert.Throws<ArgumentException>(() => KeysetPagination.PageSql<OrderRow>("orders", [], afterCursor: true));
        Assert.Throws<ArgumentException>(() => KeysetPagination.PageSql<OrderRow>("orders", ["id) OR (1=1"], afterCursor: true));
    }

    private sealed record OrderRow(long Id, DateTime CreatedAt);
}
