using OrmPerf.Indexes;

namespace OrmPerf.Core.Tests.Indexes;

public sealed class RedundantIndexFinderTests
{
    [Fact]
    public void The_later_of_two_droppable_twins_is_the_duplicate()
    {
        var found = RedundantIndexFinder.Find([Index("a", "2"), Index("b", "2")]);

        Assert.Equal([("b", "a", true)], found.Select(r => (r.Index.Index, r.CoveredBy, r.IsExactDuplicate)));
    }

    [Fact]
    public void Twins_of_a_constraint_index_are_duplicates_even_if_their_names_sort_first_but_a_plain_index_never_covers_a_unique_one()
    {
        var found = RedundantIndexFinder.Find([Index("a", "2"), Index("pkey", "2", unique: true, primary: true), Index("z", "2", unique: true)]);

        Assert.Equal([("a", "pkey"), ("z", "pkey")], found.Select(r => (r.Index.Index, r.CoveredBy)));
    }

    [Fact]
    public void A_key_prefix_is_redundant_but_not_a_unique_one_nor_one_with_another_operator_class()
    {
        var found = RedundantIndexFinder.Find([
            Index("wide", "2 3"),
            Index("prefix", "2"),
            Index("unique_prefix", "2", unique: true),
            Index("pattern_prefix", "2", opclasses: "10044"),
        ]);

        Assert.Equal([("prefix", "wide", false)], found.Select(r => (r.Index.Index, r.CoveredBy, r.IsExactDuplicate)));
    }

    [Fact]
    public void Different_predicates_methods_and_invalid_indexes_do_not_cover()
    {
        var found = RedundantIndexFinder.Find([
            Index("a", "2"),
            Index("partial", "2", predicate: "(x > 0)"),
            Index("hash", "2", method: "hash"),
            Index("broken", "2", valid: false),
        ]);

        Assert.Empty(found);
    }

    private static IndexDefinition Index(string name, string columns, bool unique = false, bool primary = false, string? opclasses = null,
        string predicate = "", string method = "btree", bool valid = true) =>
        new(new IndexUsage("s", "t", name, 0, 8192, $"CREATE INDEX {name}"), method, unique, primary, primary, valid,
            columns.Split(' ').Length, columns, opclasses ?? string.Join(' ', columns.Split(' ').Select(_ => "3124")), "", predicate);
}
