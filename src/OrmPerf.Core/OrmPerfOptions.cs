using Npgsql;
using OrmPerf.Connections;

namespace OrmPerf;

/// <summary>
/// Settings of <c>services.AddOrmPerf(...)</c>: the primary PostgreSQL server and how its connections are pooled.
/// Validated when the host starts; an invalid value fails start-up with a message naming the setting and the value.
/// </summary>
public sealed class OrmPerfOptions
{
    /// <summary>The Npgsql connection string of the primary (read-write) server. Required.</summary>
    /// <remarks>
    /// To survive a failover, list the primary and the standbys that may be promoted, with
    /// <c>Target Session Attributes=read-write</c>: <c>Host=db1:5432,db2:5432;Target Session Attributes=read-write</c>.
    /// Npgsql then sends writes to whichever host is writable, and finds a promoted standby once its host recheck
    /// (<c>Host Recheck Seconds</c>, default 10) has passed. Several hosts without <c>read-write</c> (or <c>primary</c>)
    /// fail validation, since writes could then land on a standby.
    /// </remarks>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// The pool profile applied to every data source OrmPerf builds (the primary, and replicas when routing is added).
    /// Defaults to <see cref="PoolProfile.Production"/>.
    /// </summary>
    public PoolProfile Pool { get; set; } = PoolProfile.Production;

    /// <summary>
    /// Optional extra configuration of each <see cref="NpgsqlDataSourceBuilder"/> (type mappings, plugins, password
    /// providers), applied after the pool profile. Receives the builder and the data source's name
    /// (<c>primary</c>, or a replica's name).
    /// </summary>
    public Action<NpgsqlDataSourceBuilder, string>? ConfigureDataSource { get; set; }
}
