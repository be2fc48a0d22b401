using OrmPerf.MaterializedViews;

namespace OrmPerf.Core.Tests.MaterializedViews;

public sealed class DependencyOrderTests
{
    [Fact]
    public void Sources_come_first_and_unrelated_views_keep_their_order()
    {
        string[] names = ["top", "other", "middle", "base"];
        string[] resolved = ["s.top", "s.other", "s.middle", "s.base"];
        (string, string)[] edges = [("s.top", "s.middle"), ("s.middle", "s.base"), ("s.top", "s.outside")];

        Assert.Equal(["base", "middle", "top", "other"], DependencyOrder.SourcesFirst(names, resolved, edges));
    }

    [Fact]
    public void Long_view_names_get_a_unique_index_name_within_the_identifier_limit()
    {
        var shortName = PostgresMaterializedViews.UniqueIndexName("sales_summary");
        var longA = PostgresMaterializedViews.UniqueIndexName(new string('a', 60));
        var longB = PostgresMaterializedViews.UniqueIndexName(new string('a', 59) + "b");

        Assert.Equal("sales_summary_ormperf_key", shortName);
        Assert.True(longA.Length <= 63);
        Assert.NotEqual(longA, longB);
    }
}
