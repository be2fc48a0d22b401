namespace OrmPerf.Indexes;

/// <summary>Finds duplicate and prefix-redundant indexes among the indexes of each table.</summary>
internal static class RedundantIndexFinder
{
    public static List<RedundantIndex> Find(IEnumerable<IndexDefinition> indexes)
    {
        var found = new List<RedundantIndex>();
        foreach (var table in indexes.Where(i => i.IsValid).GroupBy(i => (i.Usage.Schema, i.Usage.Table)))
        {
            var list = table.OrderBy(i => i.Usage.Index, StringComparer.Ordinal).ToList();
            foreach (var candidate in list.Where(i => i.IsDroppable))
            {
                var cover = list.FirstOrDefault(other => !ReferenceEquals(other, candidate) && Covers(other, candidate, list));
                if (cover is not null)
                {
                    found.Add(new RedundantIndex(candidate.Usage, cover.Usage.Index, IsDuplicate(cover, candidate)));
                }
            }
        }

        return found;
    }

    private static bool Covers(IndexDefinition cover, IndexDefinition candidate, List<IndexDefinition> table)
    {
        if (cover.Method != candidate.Method || cover.Predicate != candidate.Predicate || cover.Expressions != candidate.Expressions)
        {
            return false;
        }

        // A unique index guarantees something a non-unique one does not.
        if (candidate.IsUnique && !(cover.IsUnique && SameKeys(cover, candidate)))
        {
            return false;
        }

        if (IsDuplicate(cover, candidate))
        {
            // Of two droppable twins, report only the later one so one of them stays.
            return !cover.IsDroppable || table.IndexOf(cover) < table.IndexOf(candidate);
        }

        return cover.Method == "btree"
            && candidate.Expressions.Length == 0
            && candidate.ColumnList.Length == candidate.KeyCount // no INCLUDE columns of its own
            && candidate.KeyCount < cover.KeyCount
            && PrefixMatches(cover, candidate, candidate.KeyCount);
    }

    private static bool IsDuplicate(IndexDefinition a, IndexDefinition b) =>
        a.KeyCount == b.KeyCount && a.ColumnList.SequenceEqual(b.ColumnList) && a.OperatorClassList.SequenceEqual(b.OperatorClassList)
        && a.Expressions == b.Expressions && a.Predicate == b.Predicate && a.Method == b.Method;

    private static bool SameKeys(IndexDefinition a, IndexDefinition b) => a.KeyCount == b.KeyCount && PrefixMatches(a, b, a.KeyCount);

    private static bool PrefixMatches(IndexDefinition a, IndexDefinition b, int count) =>
        a.ColumnList.Take(count).SequenceEqual(b.ColumnList.Take(count))
        && a.OperatorClassList.Take(count).SequenceEqual(b.OperatorClassList.Take(count));
}
