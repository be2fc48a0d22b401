using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OrmPerf.Diagnostics;

namespace OrmPerf.Connections;

/// <summary>
/// Builds the <see cref="NpgsqlDataSource"/> of each PostgreSQL server OrmPerf talks to, with the configured
/// <see cref="PoolProfile"/> written into Npgsql's own pool settings. The primary's data source is registered in
/// the container; add-on packages (routing) use this factory for the replicas so that every server gets the same
/// profile. Thread-safe.
/// </summary>
public sealed class OrmPerfDataSourceFactory
{
    /// <summary>The name of the primary server's data source, as seen in Npgsql's metrics and OrmPerf's logs.</summary>
    public const string PrimaryName = "primary";

    private readonly IOptions<OrmPerfOptions> _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;

    /// <summary>Creates the factory over validated options.</summary>
    /// <param name="options">The OrmPerf options; validated when first read.</param>
    /// <param name="loggerFactory">Used by the data sources it builds and for its own log; optional.</param>
    public OrmPerfDataSourceFactory(IOptions<OrmPerfOptions> options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<OrmPerfDataSourceFactory>();
    }

    /// <summary>Builds the data source of the primary server from <see cref="OrmPerfOptions.ConnectionString"/>.</summary>
    public NpgsqlDataSource CreatePrimary() => Create(_options.Value.ConnectionString, PrimaryName);

    /// <summary>Builds a data source for one server with the configured pool profile.</summary>
    /// <param name="connectionString">The server's Npgsql connection string; its pool settings are replaced by the profile's.</param>
    /// <param name="name">A short, stable name (<c>primary</c>, <c>replica-1</c>) for metrics and logs.</param>
    /// <exception cref="ArgumentException">The connection string is empty or not understood by Npgsql, or the name is empty.</exception>
    public NpgsqlDataSource Create(string connectionString, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = _options.Value;

        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = name };
        options.Pool.ApplyTo(builder.ConnectionStringBuilder);
        builder.UseLoggerFactory(_loggerFactory);
        options.ConfigureDataSource?.Invoke(builder, name);

        var dataSource = builder.Build();
        var settings = builder.ConnectionStringBuilder;
        Log.DataSourceCreated(_logger, name, ServerEndpoints.Describe(settings), settings.Database, options.Pool);
        return dataSource;
    }
}
