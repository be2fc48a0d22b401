namespace OrmPerf.Batching;

/// <summary>How a batch reaches its table.</summary>
public enum WriteMode
{
    /// <summary>Binary COPY straight into the table; a row whose key exists already is a bad row.</summary>
    Insert,

    /// <summary>COPY into a temporary table, then <c>INSERT … ON CONFLICT (keys) DO UPDATE</c> of every non-key column.</summary>
    Upsert,

    /// <summary>COPY into a temporary table, then <c>INSERT … ON CONFLICT (keys) DO NOTHING</c>: existing rows are kept.</summary>
    InsertOrIgnore,
}
