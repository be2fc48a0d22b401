namespace OrmPerf.Routing;

/// <summary>
/// Thrown by a read when replicas are configured, none qualifies (down, lagging or not in recovery) and
/// <see cref="ReadReplicaOptions.WhenNoReplicaQualifies"/> is <see cref="NoReplicaFallback.Fail"/>.
/// </summary>
public sealed class NoReplicaAvailableException : OrmPerfException
{
    /// <summary>Creates the exception with a message that says why no replica qualified.</summary>
    public NoReplicaAvailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error of the last replica tried.</summary>
    public NoReplicaAvailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
