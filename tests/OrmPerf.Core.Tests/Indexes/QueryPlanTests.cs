using OrmPerf.Indexes;

namespace OrmPerf.Core.Tests.Indexes;

public sealed class QueryPlanTests
{
    [Fact]
    public void Collects_node_types_depth_first()
    {
        const string Json = """
            [{"Plan": {"Node Type": "Limit", "Plans": [
                {"Node Type": "Nested Loop", "Plans": [
                    {"Node Type": "Index Only Scan", "Index Name": "a"},
                    {"Node Type": "Seq Scan"}]}]}}]
            """;

        var plan = QueryPlan.Parse(Json);

        Assert.Equal(["Limit", "Nested Loop", "Index Only Scan", "Seq Scan"], plan.NodeTypes);
        Assert.True(plan.UsesIndexOnlyScan);
        Assert.True(plan.UsesSequentialScan);
    }

    [Fact]
    public void A_plain_index_scan_is_not_index_only() =>
        Assert.False(QueryPlan.Parse("""[{"Plan": {"Node Type": "Index Scan"}}]""").UsesIndexOnlyScan);
}
