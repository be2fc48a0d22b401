namespace OrmPerf.Routing;

/// <summary>Why a read went to the primary; the values of the <c>ormperf.routing.reason</c> tag.</summary>
internal static class FallbackReason
{
    public const string NoReplicaQualifies = "no_replica_qualifies";
    public const string ReadYourWrites = "read_your_writes";
    public const string LockingOrWritingSql = "locking_or_writing_sql";
    public const string Transaction = "transaction";
    public const string ReplicasFailed = "replicas_failed";
}
