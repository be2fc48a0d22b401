using Npgsql;

namespace OrmPerf.Connections;

/// <summary>
/// Builds the <see cref="NpgsqlDataSource"/> of a PostgreSQL server with the pool profile of one OrmPerf primary
/// (<see cref="OrmPerfOptions.Pool"/>), so that every server of a topology gets the same profile. Add-on packages use it
/// for replicas; resolve it with the builder's <see cref="Microsoft.Extensions.DependencyInjection.IOrmPerfBuilder.ServiceKey"/>.
/// Thread-safe. The data sources it returns are the caller's to dispose.
/// </summary>
public interface IOrmPerfDataSourceFactory
{
    /// <summary>The role of the primary server's data source, as passed to <see cref="OrmPerfOptions.ConfigureDataSource"/> and seen in OrmPerf's metrics.</summary>
    const string PrimaryName = "primary";

    /// <summary>Builds a data source for one server with the configured pool profile.</summary>
    /// <param name="connectionString">The server's Npgsql connection string; its pool settings are replaced by the profile's.</param>
    /// <param name="name">The server's role, short and stable (<c>primary</c>, <c>replica-1</c>); the data source's Npgsql name is built from it and the profile.</param>
    /// <returns>A new data source.</returns>
    /// <exception cref="ArgumentException">The connection string is empty or not understood by Npgsql, or the name is empty.</exception>
    NpgsqlDataSource Create(string connectionString, string name);
}
