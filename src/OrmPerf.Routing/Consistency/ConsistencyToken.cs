using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using NpgsqlTypes;

namespace OrmPerf.Routing.Consistency;

/// <summary>
/// Where a write left the primary: its WAL position and when it happened. A read that carries the token goes to a
/// replica only once the replica has replayed up to <see cref="WalPosition"/> (or, in time-window mode, once the
/// window after <see cref="WrittenAt"/> has passed); otherwise it goes to the primary.
/// </summary>
/// <remarks>
/// The text form (<see cref="ToString"/>, <see cref="Parse"/>) is <c>v1:&lt;lsn&gt;:&lt;unix milliseconds&gt;</c>, e.g.
/// <c>v1:0/16B3748:1732456000000</c>: short, ASCII, safe in a cookie or header. It reveals the primary's WAL position
/// and the write time, nothing else. A forged token can only send reads to the primary (or, with a position below
/// the truth, to a replica that may be stale for that caller), so it needs no signature. Immutable and thread-safe.
/// </remarks>
/// <param name="WalPosition">The primary's WAL position (<c>pg_current_wal_lsn()</c>) after the write.</param>
/// <param name="WrittenAt">When the write completed, by the router's <see cref="TimeProvider"/>.</param>
public readonly record struct ConsistencyToken(NpgsqlLogSequenceNumber WalPosition, DateTimeOffset WrittenAt)
{
    private const string Version = "v1";

    /// <summary>The later of two tokens: a read that honours it honours both.</summary>
    public static ConsistencyToken Max(ConsistencyToken a, ConsistencyToken b) => new(
        a.WalPosition >= b.WalPosition ? a.WalPosition : b.WalPosition,
        a.WrittenAt >= b.WrittenAt ? a.WrittenAt : b.WrittenAt);

    /// <summary>The text form, <c>v1:&lt;lsn&gt;:&lt;unix milliseconds&gt;</c>, which <see cref="Parse"/> reads back.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Version}:{WalPosition}:{WrittenAt.ToUnixTimeMilliseconds()}");

    /// <summary>Reads a token written by <see cref="ToString"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException"><paramref name="text"/> is not a token; the message quotes it and shows the expected form.</exception>
    public static ConsistencyToken Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var token)
            ? token
            : throw new FormatException($"'{Shorten(text)}' is not a consistency token; expected '{Version}:<WAL position like 0/16B3748>:<unix milliseconds>', as written by {nameof(ConsistencyToken)}.{nameof(ToString)}().");
    }

    /// <summary>Reads a token written by <see cref="ToString"/>; returns <see langword="false"/> for anything else.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out ConsistencyToken token)
    {
        token = default;
        var parts = text?.Split(':');
        if (parts is not [Version, var position, var milliseconds]
            || !NpgsqlLogSequenceNumber.TryParse(position, out var walPosition)
            || !long.TryParse(milliseconds, NumberStyles.None, CultureInfo.InvariantCulture, out var unixMilliseconds)
            || unixMilliseconds > MaxUnixMilliseconds)
        {
            return false;
        }

        token = new ConsistencyToken(walPosition, DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds));
        return true;
    }

    private static readonly long MaxUnixMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    // A token comes from outside (cookie, header): don't echo kilobytes of it into logs.
    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
