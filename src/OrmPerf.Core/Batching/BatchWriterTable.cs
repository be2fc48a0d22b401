namespace OrmPerf.Batching;

/// <summary>
/// What the options validator needs to know of the table a registered writer maps: some options (an upsert mode) are
/// valid only for some maps. Registered once per writer, under the writer's options name.
/// </summary>
/// <param name="OptionsName">The name of the writer's <see cref="BatchWriterOptions"/>.</param>
/// <param name="Table">The table as people read it, for messages.</param>
/// <param name="GeneratedKeyColumn">The column the table's sequence generates, if the map has one.</param>
/// <param name="KeyColumns">The columns upserts are keyed on.</param>
internal sealed record BatchWriterTable(string OptionsName, string Table, string? GeneratedKeyColumn, IReadOnlyList<string> KeyColumns)
{
    /// <summary>The table of <paramref name="map"/>, for the writer whose options are named <paramref name="optionsName"/>.</summary>
    public static BatchWriterTable Of<T>(string optionsName, TableMap<T> map) =>
        new(optionsName, map.DisplayName, map.GeneratedKeyColumn, map.KeyColumns);
}
