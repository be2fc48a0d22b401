namespace OrmPerf.Batching;

/// <summary>Quotes PostgreSQL identifiers so that names taken from user code can never change the SQL they appear in.</summary>
internal static class SqlIdentifier
{
    /// <summary>Wraps <paramref name="name"/> in double quotes, doubling any quote inside it.</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Quotes a table name, qualified by its schema when one is given.</summary>
    public static string QuoteQualified(string? schema, string name) =>
        schema is null ? Quote(name) : Quote(schema) + "." + Quote(name);
}
