namespace OrmPerf.MaterializedViews;

/// <summary>Matches a reported table name against a view's source table, either of which may lack its schema.</summary>
internal static class SourceTableName
{
    /// <summary>
    /// True when both names are qualified and equal, or when either lacks a schema and the table parts are equal
    /// (a writer that does not know the schema still triggers the refresh; at worst one refresh too many).
    /// </summary>
    public static bool Matches(string source, string reported)
    {
        var sourceDot = source.IndexOf('.');
        var reportedDot = reported.IndexOf('.');
        if (sourceDot >= 0 && reportedDot >= 0)
        {
            return string.Equals(source, reported, StringComparison.Ordinal);
        }

        return source.AsSpan(sourceDot + 1).SequenceEqual(reported.AsSpan(reportedDot + 1));
    }
}
