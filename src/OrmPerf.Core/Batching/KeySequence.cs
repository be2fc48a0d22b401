using Npgsql;

namespace OrmPerf.Batching;

/// <summary>
/// Finds the sequence that fills a generated key column: the one the column owns (serial, bigserial, identity), or the
/// one its default draws from, <c>DEFAULT nextval('some_seq')</c>, whether or not the sequence is <c>OWNED BY</c> the
/// column (pg_dump output and legacy schemas often leave that out). The default is read from the catalog as the
/// sequence it depends on, so no name is parsed or spliced.
/// </summary>
internal static class KeySequence
{
    private const string Sql = """
        SELECT coalesce(
            pg_get_serial_sequence(@table, @column)::regclass::oid,
            (SELECT d.refobjid
             FROM pg_attribute a
             JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
             JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
             JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
             WHERE a.attrelid = @table::regclass AND a.attname = @column AND NOT a.attisdropped
               AND pg_get_expr(ad.adbin, ad.adrelid) LIKE 'nextval(%'
             LIMIT 1))
        """;

    /// <summary>The sequence's oid, or null when no sequence fills the column.</summary>
    public static async Task<uint?> FindAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string qualifiedTable, string column, CancellationToken cancellationToken)
    {
        var lookup = new NpgsqlCommand(Sql, connection, transaction);
        await using var lookupDisposal = lookup.ConfigureAwait(false);
        lookup.Parameters.AddWithValue("table", qualifiedTable);
        lookup.Parameters.AddWithValue("column", column);
        return await lookup.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as uint?;
    }
}
