using System.Collections.Concurrent;
using OrmPerf.Sql;

namespace OrmPerf.Caching;

/// <summary>
/// Entry options extended with the table tags of a SQL text, remembered per (SQL, options) pair so a cache hit does not
/// parse the SQL again. Bounded: past <see cref="Capacity"/> pairs (SQL built per call), the tags are computed each
/// time instead of growing memory without limit. Thread-safe.
/// </summary>
internal static class SqlTaggedEntryOptions
{
    private const int Capacity = 4096;

    private static readonly ConcurrentDictionary<(string Sql, QueryCacheEntryOptions Options), QueryCacheEntryOptions> Known = new();

    public static QueryCacheEntryOptions For(string sql, QueryCacheEntryOptions options)
    {
        if (Known.TryGetValue((sql, options), out var tagged))
        {
            return tagged;
        }

        tagged = options with { Tags = options.Tags.Union(SqlTableParser.TableTags(sql), StringComparer.Ordinal).ToArray() };
        if (Known.Count < Capacity)
        {
            Known.TryAdd((sql, options), tagged);
        }

        return tagged;
    }
}
