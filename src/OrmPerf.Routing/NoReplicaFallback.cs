namespace OrmPerf.Routing;

/// <summary>What a read does when replicas are configured but none is healthy and caught up.</summary>
public enum NoReplicaFallback
{
    /// <summary>Read from the primary (the default): the caller sees no error while the primary is up.</summary>
    UsePrimary,

    /// <summary>
    /// Throw <see cref="NoReplicaAvailableException"/>, to protect a primary that must not take read load.
    /// Reads sent to the primary for consistency or safety (read-your-writes, locking reads) still go there.
    /// </summary>
    Fail,
}
