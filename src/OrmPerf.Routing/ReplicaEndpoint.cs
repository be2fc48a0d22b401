namespace OrmPerf.Routing;

/// <summary>One read replica: a short name for metrics and logs, and its Npgsql connection string.</summary>
public sealed class ReplicaEndpoint
{
    /// <summary>A short, stable name (<c>replica-1</c>, <c>eu-west-b</c>): letters, digits, <c>-</c>, <c>_</c> or <c>.</c>; not <c>primary</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>The replica's Npgsql connection string; its pool settings are replaced by the OrmPerf pool profile.</summary>
    public string ConnectionString { get; set; } = "";
}
