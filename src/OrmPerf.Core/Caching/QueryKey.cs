using System.Security.Cryptography;
using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;

namespace OrmPerf.Caching;

/// <summary>
/// The identity of a cached query result: the SQL text, its parameters, the result type, an optional scope
/// (tenant, user) and the key-format version, encoded into canonical bytes and hashed with XxHash128.
/// </summary>
/// <remarks>
/// <para>
/// The hash is stable across processes and machines (unlike <see cref="string.GetHashCode()"/>), so keys match between
/// servers sharing a second-level store. The canonical bytes travel with every entry and are compared on read, so
/// two queries whose hashes collide never see each other's rows.
/// </para>
/// <para>
/// Parameters are encoded culture-invariantly: anonymous objects and POCOs by public properties sorted by name,
/// dictionaries by keys sorted ordinally, Dapper <c>DynamicParameters</c> by name, arrays and lists element by
/// element, <see langword="null"/>, dates, decimals and numbers by their binary value together with their type.
/// A value of any other type is rejected with <see cref="NotSupportedException"/> rather than guessed at.
/// </para>
/// <para>Instances are immutable and safe to share between threads.</para>
/// </remarks>
public sealed class QueryKey : IEquatable<QueryKey>
{
    /// <summary>The version of the canonical encoding; bumping it gives every query a new key.</summary>
    public const int FormatVersion = 1;

    private static readonly string IdPrefix = $"q{FormatVersion}:";

    // Most keys fit: encoding one allocates nothing unless it is longer (then the writer rents a pooled array).
    private const int StackBufferSize = 512;

    private readonly byte[] _canonical;
    private string? _id;
    private object? _localKey;
    private byte[]? _digest;

    private QueryKey(byte[] canonical, UInt128 hash, Type resultType, string statement)
    {
        _canonical = canonical;
        Hash = hash;
        ResultType = resultType;
        Statement = statement;
    }

    /// <summary>Computes the 128-bit hash of a key's canonical bytes.</summary>
    internal delegate UInt128 Hasher(ReadOnlySpan<byte> canonical);

    /// <summary>The 128-bit XxHash of <see cref="Canonical"/>.</summary>
    public UInt128 Hash { get; }

    /// <summary>The canonical bytes the hash was computed from; compared on read to rule out collisions.</summary>
    public ReadOnlyMemory<byte> Canonical => _canonical;

    /// <summary>The type of the cached value, part of the key.</summary>
    public Type ResultType { get; }

    /// <summary>The key as a short string (format version + hash), for stores that key by string.</summary>
    /// <remarks>Built on first use: an in-memory hit never needs it.</remarks>
    public string Id => _id ??= string.Create(null, stackalloc char[40], $"{IdPrefix}{Hash:x32}");

    /// <summary>Builds the key of a query.</summary>
    /// <typeparam name="TResult">The type of the cached value.</typeparam>
    /// <param name="sql">The SQL text, taken verbatim.</param>
    /// <param name="parameters">The query's parameters, or <see langword="null"/>.</param>
    /// <param name="scope">An optional scope (tenant, user) that separates otherwise equal queries.</param>
    /// <returns>The key.</returns>
    /// <exception cref="NotSupportedException">A parameter value has a type the canonical encoding does not know.</exception>
    [RequiresUnreferencedCode("Reads the public properties of the parameter object by reflection.")]
    public static QueryKey Create<TResult>(string sql, object? parameters = null, string? scope = null) =>
        Create(sql, parameters, typeof(TResult), scope);

    /// <summary>Builds the key of a query whose result type is known only at run time.</summary>
    /// <param name="sql">The SQL text, taken verbatim.</param>
    /// <param name="parameters">The query's parameters, or <see langword="null"/>.</param>
    /// <param name="resultType">The type of the cached value.</param>
    /// <param name="scope">An optional scope (tenant, user) that separates otherwise equal queries.</param>
    /// <returns>The key.</returns>
    /// <exception cref="NotSupportedException">A parameter value has a type the canonical encoding does not know.</exception>
    [RequiresUnreferencedCode("Reads the public properties of the parameter object by reflection.")]
    public static QueryKey Create(string sql, object? parameters, Type resultType, string? scope = null) =>
        Create(sql, parameters, resultType, scope, operation: null, XxHash);

    /// <summary>
    /// The key of a query read by a particular operation (e.g. "first row" and "single row" of the same SQL must not
    /// share a result), hashed with <paramref name="hash"/> (a test seam to force collisions).
    /// </summary>
    [RequiresUnreferencedCode("Reads the public properties of the parameter object by reflection.")]
    internal static QueryKey Create(string sql, object? parameters, Type resultType, string? scope, string? operation, Hasher hash)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(resultType);
        var writer = new CanonicalKeyWriter(stackalloc byte[StackBufferSize]);
        try
        {
            writer.WriteHeader(FormatVersion);
            writer.WriteString(scope);
            writer.WriteString(operation);
            writer.WriteEncoded(QueryKeyResultTypes.EncodingOf(resultType));
            writer.WriteString(sql);
            writer.WriteParameters(parameters);
            var canonical = writer.Written;
            var hashed = hash(canonical);
            return RecentQueryKeys.Find(canonical, hashed, resultType)
                ?? RecentQueryKeys.Keep(new QueryKey(canonical.ToArray(), hashed, resultType, sql));
        }
        finally
        {
            writer.Dispose();
        }
    }

    internal static UInt128 XxHash(ReadOnlySpan<byte> canonical) => XxHash128.HashToUInt128(canonical);

    /// <summary>The hash in an <see cref="Id"/> of this format version, for evicting by id what is stored by hash.</summary>
    internal static bool TryParseId(string id, out UInt128 hash)
    {
        hash = default;
        return id.StartsWith(IdPrefix, StringComparison.Ordinal) && id.Length == IdPrefix.Length + 32
            && UInt128.TryParse(id.AsSpan(IdPrefix.Length), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out hash);
    }

    /// <summary>Whether <paramref name="canonical"/> is this key's canonical encoding.</summary>
    internal bool Matches(byte[] canonical) => ReferenceEquals(canonical, _canonical) || canonical.AsSpan().SequenceEqual(_canonical);

    /// <summary>Whether <paramref name="canonical"/> is this key's canonical encoding.</summary>
    internal bool Matches(ReadOnlySpan<byte> canonical) => canonical.SequenceEqual(_canonical);

    internal byte[] CanonicalArray => _canonical;

    /// <summary>The SQL text (or a cached method's key name) the key was built from: what per-query cache counters are kept by.</summary>
    internal string Statement { get; }

    /// <summary>The counters of <see cref="Statement"/> in the cache that used the key last, so a hit need not look them up.</summary>
    internal CachedQueryCounters.Query? Counters { get; set; }

    /// <summary>
    /// The SHA-256 of <see cref="Canonical"/> that a second-level envelope carries, computed once per key: a key reused
    /// for every read (a cached query's plan keeps it) does not hash again on each second-level hit.
    /// </summary>
    internal byte[] Digest => _digest ??= SHA256.HashData(_canonical);

    /// <summary>
    /// The key of the in-memory level: the boxed <see cref="Hash"/>, boxed once per key (the canonical bytes stored with
    /// the entry are compared on read, as for a store keyed by <see cref="Id"/>).
    /// </summary>
    internal object LocalKey => _localKey ??= Hash;

    /// <inheritdoc/>
    public bool Equals(QueryKey? other) =>
        other is not null && (ReferenceEquals(this, other) || (Hash == other.Hash && Matches(other._canonical)));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as QueryKey);

    /// <inheritdoc/>
    public override int GetHashCode() => (int)(ulong)Hash;

    /// <inheritdoc/>
    public override string ToString() => Id;
}
