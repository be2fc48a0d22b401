namespace OrmPerf.Routing;

/// <summary>How reads are spread over the replicas that qualify.</summary>
public enum ReplicaBalancing
{
    /// <summary>Each read starts at the next replica in turn.</summary>
    RoundRobin,

    /// <summary>Each read goes to the replica with the fewest connections currently open through the router.</summary>
    LeastInFlight,
}
