using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.RegularExpressions;

namespace OrmPerf.Sql;

/// <summary>
/// Validates and quotes SQL identifiers that come from callers (table, column, view and index names), so they are
/// never spliced raw into SQL. A name is one identifier or <c>schema.identifier</c>; each part must look like a plain
/// PostgreSQL identifier (letter or underscore, then letters, digits, underscores or <c>$</c>, at most 63 bytes), and
/// it is always emitted double-quoted. Quoting keeps the case as written, so pass lower-case names for tables created
/// without quotes.
/// </summary>
internal static partial class SqlIdentifier
{
    /// <summary>PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server.</summary>
    public const int MaxBytes = 63;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_$]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainIdentifier();

    /// <summary>Validates one identifier (no schema) and returns it double-quoted.</summary>
    /// <exception cref="ArgumentException">The identifier is empty, too long or has characters outside the allowed set.</exception>
    public static string Quote(string identifier, string? paramName = null)
    {
        Validate(identifier, identifier, paramName);
        return "\"" + identifier + "\"";
    }

    /// <summary>Validates a name that may be schema-qualified (<c>schema.name</c>) and returns it with each part quoted.</summary>
    /// <exception cref="ArgumentException">The name is not one or two valid identifiers separated by a dot.</exception>
    public static string QuoteQualified(string name, string? paramName = null)
    {
        var (schema, identifier) = Split(name, paramName);
        return schema is null ? "\"" + identifier + "\"" : "\"" + schema + "\".\"" + identifier + "\"";
    }

    /// <summary>Validates a possibly schema-qualified name and returns its parts, unquoted.</summary>
    /// <exception cref="ArgumentException">The name is not one or two valid identifiers separated by a dot.</exception>
    public static (string? Schema, string Name) Split(string name, string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        var dot = name.IndexOf('.');
        if (dot < 0)
        {
            Validate(name, name, paramName);
            return (null, name);
        }

        var schema = name[..dot];
        var identifier = name[(dot + 1)..];
        Validate(schema, name, paramName);
        Validate(identifier, name, paramName);
        return (schema, identifier);
    }

    /// <summary>
    /// Double-quotes any identifier, doubling quotes inside it. For names mapped onto an existing table (the batching
    /// writer's), which PostgreSQL allows to hold any character; the mapping is then checked against the real table.
    /// </summary>
    public static string Escape(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Escapes a table name with <see cref="Escape"/>, qualified by its schema when one is given.</summary>
    public static string EscapeQualified(string? schema, string name) =>
        schema is null ? Escape(name) : Escape(schema) + "." + Escape(name);

    /// <summary>Quotes each of <paramref name="identifiers"/> and joins them with <c>", "</c>.</summary>
    public static string QuoteList(IEnumerable<string> identifiers, string? paramName = null) =>
        string.Join(", ", identifiers.Select(identifier => Quote(identifier, paramName)));

    /// <summary>
    /// Builds an unquoted identifier <c>{stem}{suffix}</c> for an object OrmPerf creates (an index, say); when that
    /// would pass <see cref="MaxBytes"/>, the stem is cut and a stable hash of the whole stem keeps names distinct.
    /// </summary>
    /// <param name="stem">Already-validated identifier text, e.g. a table name.</param>
    /// <param name="suffix">ASCII identifier characters, e.g. <c>_ormperf_key</c>.</param>
    public static string Derive(string stem, string suffix)
    {
        if (Encoding.UTF8.GetByteCount(stem) + suffix.Length <= MaxBytes)
        {
            return stem + suffix;
        }

        var hash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(stem)).ToString("x16", CultureInfo.InvariantCulture);
        var room = MaxBytes - suffix.Length - hash.Length - 1;
        var cut = stem;
        while (Encoding.UTF8.GetByteCount(cut) > room)
        {
            cut = cut[..^1];
        }

        return cut + "_" + hash + suffix;
    }

    private static void Validate(string part, string whole, string? paramName)
    {
        if (part.Length == 0 || !PlainIdentifier().IsMatch(part))
        {
            throw new ArgumentException(
                $"'{whole}' is not a valid SQL name: expected an identifier or schema.identifier made of letters, digits, '_' or '$', starting with a letter or '_'.",
                paramName);
        }

        if (Encoding.UTF8.GetByteCount(part) > MaxBytes)
        {
            throw new ArgumentException($"'{part}' is longer than PostgreSQL's {MaxBytes}-byte identifier limit.", paramName);
        }
    }
}
