namespace OrmPerf.MaterializedViews;

/// <summary>Topological order of views by "reads from" edges, stable with respect to the given order.</summary>
internal static class DependencyOrder
{
    /// <param name="names">The names as the caller gave them.</param>
    /// <param name="resolved">The same views' resolved names, index for index.</param>
    /// <param name="edges">(dependent, source) pairs of resolved names; sources outside the list are ignored.</param>
    public static IReadOnlyList<string> SourcesFirst(IReadOnlyList<string> names, IReadOnlyList<string> resolved, IEnumerable<(string Dependent, string Source)> edges)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < resolved.Count; i++)
        {
            index.TryAdd(resolved[i], i);
        }

        var sources = Enumerable.Range(0, names.Count).Select(_ => new List<int>()).ToArray();
        foreach (var (dependent, source) in edges)
        {
            if (index.TryGetValue(dependent, out var d) && index.TryGetValue(source, out var s))
            {
                sources[d].Add(s);
            }
        }

        var ordered = new List<string>(names.Count);
        var state = new byte[names.Count]; // 0 new, 1 visiting, 2 done
        for (var i = 0; i < names.Count; i++)
        {
            Visit(i);
        }

        return ordered;

        void Visit(int i)
        {
            if (state[i] != 0)
            {
                // 1 = a cycle, which PostgreSQL does not allow between views; keep going rather than fail.
                return;
            }

            state[i] = 1;
            foreach (var source in sources[i])
            {
                Visit(source);
            }

            state[i] = 2;
            ordered.Add(names[i]);
        }
    }
}
