using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrmPerf.Diagnostics;

namespace OrmPerf.Connections;

/// <summary>
/// Builds the <see cref="NpgsqlDataSource"/> of each PostgreSQL server of one OrmPerf primary, with the configured
/// <see cref="PoolProfile"/> written into Npgsql's own pool settings. The primary's data source is registered in
/// the container; add-on packages (routing) use this factory for the replicas so that every server gets the same
/// profile. Thread-safe.
/// </summary>
/// <remarks>
/// Each data source gets a distinct Npgsql name (<see cref="NpgsqlDataSourceBuilder.Name"/>): its role and its profile,
/// <c>primary/Production</c>, <c>replica-1/Production</c>, with <c>#2</c>, <c>#3</c>... appended when another data source
/// of this process already has the name (a second container, a test). Npgsql's pool metrics carry it as the pool name,
/// so a reading can be tied to one pool; the factory also listens to them itself (acquire waits, pending requests,
/// timeouts), which the workload advisor reads. Dispose the factory (the container does) to stop listening.
/// </remarks>
internal sealed class OrmPerfDataSourceFactory : IOrmPerfDataSourceFactory, IDisposable
{
    public const string PrimaryName = IOrmPerfDataSourceFactory.PrimaryName;

    // Uses of each name in this process: the Npgsql names stay distinct between containers.
    private static readonly ConcurrentDictionary<string, int> NameUses = new(StringComparer.Ordinal);

    private readonly OrmPerfOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly PoolPressureListener _pressure;

    /// <param name="options">The primary's OrmPerf options, validated.</param>
    /// <param name="loggerFactory">Used by the data sources it builds and for its own log; optional.</param>
    /// <param name="timeProvider">Times how long the pools were exhausted; <see cref="TimeProvider.System"/> when null.</param>
    public OrmPerfDataSourceFactory(OrmPerfOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<OrmPerfDataSourceFactory>();
        _pressure = new PoolPressureListener(timeProvider ?? TimeProvider.System);
    }

    /// <summary>Builds the data source of the primary server from <see cref="OrmPerfOptions.ConnectionString"/>.</summary>
    public NpgsqlDataSource CreatePrimary() => Create(_options.ConnectionString, PrimaryName);

    /// <inheritdoc />
    public NpgsqlDataSource Create(string connectionString, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = _options;

        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = DistinctName(name + "/" + options.Pool.Name) };
        options.Pool.ApplyTo(builder.ConnectionStringBuilder);
        builder.UseLoggerFactory(_loggerFactory);
        options.ConfigureDataSource?.Invoke(builder, name);

        var dataSource = builder.Build();
        var settings = builder.ConnectionStringBuilder;
        if (settings.Pooling && builder.Name is { } poolName)
        {
            _pressure.Track(poolName, name, settings.MaxPoolSize);
        }

        Log.DataSourceCreated(_logger, builder.Name ?? name, ServerEndpoints.Describe(settings), settings.Database, options.Pool);
        return dataSource;
    }

    /// <summary>Stops listening to the pools' metrics. The data sources are the container's to dispose.</summary>
    public void Dispose() => _pressure.Dispose();

    /// <summary>What the pools of the data sources built here went through (acquire waits, pending requests, timeouts).</summary>
    internal IReadOnlyList<PoolPressureReading> ReadPoolPressure() => _pressure.Read();

    private static string DistinctName(string name)
    {
        var use = NameUses.AddOrUpdate(name, 1, static (_, uses) => uses + 1);
        return use == 1 ? name : string.Create(CultureInfo.InvariantCulture, $"{name}#{use}");
    }
}
