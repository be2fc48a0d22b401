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
