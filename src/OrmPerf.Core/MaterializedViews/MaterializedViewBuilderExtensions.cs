using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OrmPerf.Changes;
using OrmPerf.MaterializedViews;
using OrmPerf.Sql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OrmPerf's materialized-view service and its refresh scheduler.</summary>
public static class MaterializedViewBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="IMaterializedViews"/> (a singleton over the builder's primary data source). One per
    /// container: the first builder that adds views gives their data source.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddOrmPerf</c> or <c>AddKeyedOrmPerf</c>.</param>
    /// <returns>The same builder.</returns>
    public static IOrmPerfBuilder AddMaterializedViews(this IOrmPerfBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var primaryKey = builder.ServiceKey;
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(sp => new PostgresMaterializedViews(
            sp.GetRequiredKeyedService<NpgsqlDataSource>(primaryKey),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<PostgresMaterializedViews>>()));
        builder.Services.TryAddSingleton<IMaterializedViews>(sp => sp.GetRequiredService<PostgresMaterializedViews>());
        return builder;
    }

    /// <summary>
    /// Refreshes an existing materialized view every <paramref name="refreshEvery"/> from a hosted service (and registers
    /// <see cref="IMaterializedViews"/>). Ticks are aligned to the clock (multiples of the interval since the Unix epoch)
    /// and each is claimed in the database, so with several instances, started at any offsets, exactly one refreshes
    /// per tick and the others skip. When the host starts, the view is checked (start-up fails if it does not exist or
    /// is not a materialized view) and, if unpopulated, refreshed; see <see cref="MaterializedViewRefreshOptions.ValidateOnStart"/>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddOrmPerf</c>.</param>
    /// <param name="name">The view's name, optionally schema-qualified; validated now.</param>
    /// <param name="refreshEvery">The interval, at least one second.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The name is not a valid SQL name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The interval is shorter than one second.</exception>
    public static IOrmPerfBuilder AddMaterializedView(this IOrmPerfBuilder builder, string name, TimeSpan refreshEvery) =>
        builder.AddMaterializedView(name, refreshEvery, static _ => { });

    /// <summary>
    /// Like <see cref="AddMaterializedView(IOrmPerfBuilder, string, TimeSpan)"/>, and with
    /// <see cref="MaterializedViewRefreshOptions.RefreshOnChange"/> also refreshes the view within a debounce window after
    /// OrmPerf's batch writer (through <see cref="ITableChangeListener"/>) or a <c>NOTIFY</c> reports a write to a table
    /// it reads. Those refreshes take the same advisory lock, so one instance refreshes. The view's
    /// <see cref="MaterializedViewRefreshOptions"/> are named options named after the view (<paramref name="name"/> as
    /// given), so they can also be bound from configuration; they are validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddOrmPerf</c>.</param>
    /// <param name="name">The view's name, optionally schema-qualified; validated now.</param>
    /// <param name="refreshEvery">The interval, at least one second.</param>
    /// <param name="configure">Sets the view's options.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The name is not a valid SQL name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The interval is shorter than one second.</exception>
    /// <remarks>Invalid options throw <see cref="OptionsValidationException"/>, naming every bad value, when the host starts.</remarks>
    public static IOrmPerfBuilder AddMaterializedView(this IOrmPerfBuilder builder, string name, TimeSpan refreshEvery, Action<MaterializedViewRefreshOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        SqlIdentifier.QuoteQualified(name, nameof(name));
        if (refreshEvery < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(refreshEvery), refreshEvery, $"The refresh interval of materialized view '{name}' must be at least one second.");
        }

        var services = builder.Services;
        services.AddOptions<MaterializedViewRefreshOptions>(name).Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MaterializedViewRefreshOptions>, MaterializedViewRefreshOptionsValidator>());
        builder.AddMaterializedViews();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<MaterializedViewRefreshOptions>>().Get(name);
            return new MaterializedViewSchedule(
                name, refreshEvery, options.RefreshOnChange ? options.ChangeDebounce : null, options.SourceTables.ToArray(),
                options.ValidateOnStart, options.PopulateOnStartTimeout);
        });
        services.TryAddSingleton<MaterializedViewRefreshScheduler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MaterializedViewRefreshScheduler>(
            sp => sp.GetRequiredService<MaterializedViewRefreshScheduler>()));
        // Registered for every view: whether one refreshes on change is known only once its options are read (they may
        // come from configuration); with none that does, the listener ignores reports without a database round trip.
        services.TryAddSingleton<MaterializedViewChangeListener>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITableChangeListener, MaterializedViewChangeListener>(
            sp => sp.GetRequiredService<MaterializedViewChangeListener>()));
        return builder;
    }

    /// <summary>
    /// Also takes reports of writes from outside the process: a hosted service holds one connection to the primary that
    /// <c>LISTEN</c>s on <see cref="TableChangeNotificationOptions.Channel"/>, and each
    /// <c>NOTIFY ormperf_table_changed, 'schema.table'</c> brings forward the refresh of the views registered with
    /// <see cref="MaterializedViewRefreshOptions.RefreshOnChange"/> that read that table. Every instance hears every
    /// notification; the advisory lock and the refresh bookkeeping keep it to one refresh. Behind a transaction pooler
    /// (PgBouncer), set <see cref="TableChangeNotificationOptions.ConnectionString"/> to a direct connection: the
    /// listener refuses a pooled one and stops the host with a message naming that setting. The
    /// <see cref="TableChangeNotificationOptions"/> are named after the builder (<see cref="IOrmPerfBuilder.Name"/>), so
    /// they can also be bound from configuration; they are validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddOrmPerf</c>.</param>
    /// <param name="configure">Sets the channel and timings. Null for the defaults.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>Invalid options throw <see cref="OptionsValidationException"/>, naming every bad value, when the host starts.</remarks>
    public static IOrmPerfBuilder AddMaterializedViewChangeNotifications(this IOrmPerfBuilder builder, Action<TableChangeNotificationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var name = builder.Name;
        var options = services.AddOptions<TableChangeNotificationOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TableChangeNotificationOptions>, TableChangeNotificationOptionsValidator>());
        builder.AddMaterializedViews();
        services.TryAddSingleton<MaterializedViewRefreshScheduler>();
        services.TryAddSingleton<MaterializedViewChangeListener>();
        var primaryKey = builder.ServiceKey;
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TableChangeNotificationListener>(sp => new TableChangeNotificationListener(
            sp.GetRequiredKeyedService<NpgsqlDataSource>(primaryKey),
            sp.GetRequiredService<MaterializedViewChangeListener>(),
            sp.GetRequiredService<IOptionsMonitor<TableChangeNotificationOptions>>().Get(name),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<TableChangeNotificationListener>>())));
        return builder;
    }
}
