using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.Samples.Tour.Setup;

namespace OrmPerf.Samples.Tour;

/// <summary>What every step of the tour works with: the settings, the schema, and the running service's providers.</summary>
internal sealed class TourContext(TourSettings settings, TourDatabase database, IServiceProvider services)
{
    public TourSettings Settings { get; } = settings;

    public TourSizes Sizes => Settings.Sizes;

    public TourDatabase Database { get; } = database;

    public IServiceProvider Services { get; } = services;

    /// <summary>The primary's pooled data source that AddOrmPerf registered.</summary>
    public NpgsqlDataSource DataSource => Services.GetRequiredService<NpgsqlDataSource>();

    public string Primary => Database.InSchema(Settings.Primary);

    public string? Replica => Settings.Replica is { } replica ? Database.InSchema(replica) : null;
}
