using System.Numerics;

namespace OrmPerf.Batching;

/// <summary>
/// The key column that the table's sequence fills. Rows whose key is still zero get the next values of that sequence
/// before they are written, and those values are set on the rows themselves.
/// </summary>
/// <typeparam name="T">The row type, a reference type so that the value set is seen by whoever holds the row.</typeparam>
internal abstract class GeneratedKeyMap<T>(string column, string member)
{
    /// <summary>The column's name in the table (unquoted).</summary>
    public string Column { get; } = column;

    /// <summary>The member of <typeparamref name="T"/> that receives the value.</summary>
    public string Member { get; } = member;

    /// <summary>Whether <paramref name="row"/> still waits for a key (its key is zero).</summary>
    public abstract bool IsUnset(T row);

    /// <summary>Sets a value drawn from the sequence on <paramref name="row"/>.</summary>
    /// <exception cref="OverflowException">The sequence went past what the member's type holds.</exception>
    public abstract void Assign(T row, long value);
}

/// <summary>A generated key held in a member of integer type <typeparamref name="TKey"/>.</summary>
internal sealed class GeneratedKeyMap<T, TKey>(string column, string member, Func<T, TKey> read, Action<T, TKey> write)
    : GeneratedKeyMap<T>(column, member)
    where TKey : struct, IBinaryInteger<TKey>
{
    public override bool IsUnset(T row) => read(row) == TKey.Zero;

    public override void Assign(T row, long value) => write(row, TKey.CreateChecked(value));
}
