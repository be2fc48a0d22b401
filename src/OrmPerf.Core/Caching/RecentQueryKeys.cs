namespace OrmPerf.Caching;

/// <summary>
/// The keys built most recently, one per slot chosen by the hash, so that building the key of a query built before
/// (which every cache hit is) returns the existing immutable instance instead of allocating a new one.
/// </summary>
/// <remarks>
/// <para>A slot holds the last key whose hash maps to it; a key is reused only when its hash, result type and canonical
/// bytes all equal the new one's, so reuse never changes which key a caller gets, only whether it is a new instance.
/// Keys longer than <see cref="MaxCanonicalLength"/> are not kept, which bounds the memory held here (the canonical
/// bytes of a cached entry are shared with its key, so a kept key usually costs little on top).</para>
/// <para>Thread-safe: slots are read and written atomically and keys are immutable; a lost race only costs a reuse.</para>
/// </remarks>
internal static class RecentQueryKeys
{
    private const int Slots = 512;
    private const int MaxCanonicalLength = 4096;

    private static readonly QueryKey?[] Keys = new QueryKey?[Slots];

    /// <summary>The kept key equal to the one described, if any.</summary>
    public static QueryKey? Find(ReadOnlySpan<byte> canonical, UInt128 hash, Type resultType)
    {
        var key = Volatile.Read(ref Keys[SlotOf(hash)]);
        return key is not null && key.Hash == hash && key.ResultType == resultType && key.Matches(canonical) ? key : null;
    }

    /// <summary>Keeps <paramref name="key"/> for reuse, replacing the slot's previous key.</summary>
    public static QueryKey Keep(QueryKey key)
    {
        if (key.Canonical.Length <= MaxCanonicalLength)
        {
            Volatile.Write(ref Keys[SlotOf(key.Hash)], key);
        }

        return key;
    }

    private static int SlotOf(UInt128 hash) => (int)((ulong)hash & (Slots - 1));
}
