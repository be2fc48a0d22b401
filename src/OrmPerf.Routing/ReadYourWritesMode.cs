namespace OrmPerf.Routing;

/// <summary>How reads that follow a write are kept from seeing data older than that write.</summary>
public enum ReadYourWritesMode
{
    /// <summary>
    /// The default: a write records the primary's WAL position in a <see cref="Consistency.ConsistencyToken"/>; a read
    /// carrying it goes to a replica only when the replica has replayed up to that position, else to the primary.
    /// </summary>
    WalPosition,

    /// <summary>
    /// Rails style: for <see cref="ReadReplicaOptions.ReadYourWritesWindow"/> after a write, reads carrying its token go to
    /// the primary. Costs no query after a write, but is either too long or too short.
    /// </summary>
    TimeWindow,

    /// <summary>Reads go to any qualifying replica, even right after a write.</summary>
    Off,
}
