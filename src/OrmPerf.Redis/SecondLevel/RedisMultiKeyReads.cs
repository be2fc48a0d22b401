using StackExchange.Redis;

namespace OrmPerf.Redis.SecondLevel;

/// <summary>
/// <c>MGET</c> that also works on Redis Cluster, where one command may only name keys of one hash slot. An entry and
/// the invalidation times of its tags live in different slots (the library picks no hash tags, so entries and tags
/// spread over the masters): on a cluster the keys are grouped by slot and each group is read with its own
/// <c>MGET</c>, all sent at once (one round trip per master involved, in parallel). On a single server every key has
/// no slot, so it stays one <c>MGET</c>. Thread-safe (stateless).
/// </summary>
internal static class RedisMultiKeyReads
{
    /// <summary>The values of <paramref name="keys"/>, in their order.</summary>
    public static Task<RedisValue[]> StringGetAsync(IDatabase database, RedisKey[] keys)
    {
        var multiplexer = database.Multiplexer;
        var first = multiplexer.HashSlot(keys[0]);
        for (var i = 1; i < keys.Length; i++)
        {
            if (multiplexer.HashSlot(keys[i]) != first)
            {
                return BySlotAsync(database, keys);
            }
        }

        return database.StringGetAsync(keys);
    }

    private static async Task<RedisValue[]> BySlotAsync(IDatabase database, RedisKey[] keys)
    {
        var groups = Enumerable.Range(0, keys.Length).GroupBy(i => database.Multiplexer.HashSlot(keys[i])).Select(group => group.ToArray()).ToArray();
        var reads = groups.Select(group => database.StringGetAsync(group.Select(i => keys[i]).ToArray())).ToArray();
        var values = new RedisValue[keys.Length];
        for (var g = 0; g < groups.Length; g++)
        {
            var read = await reads[g].ConfigureAwait(false);
            for (var j = 0; j < groups[g].Length; j++)
            {
                values[groups[g][j]] = read[j];
            }
        }

        return values;
    }
}
