using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OrmPerf.Changes;
using OrmPerf.MaterializedViews;
using OrmPerf.Sql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OrmPerf's materialized-view service and its refresh scheduler.</summary>
public static class MaterializedViewBuilderExtensions
{
    /// <summary>Registers <see cref="IMaterializedViews"/> (a singleton over the primary data source).</summary>
    /// <param name="builder">The builder returned by <c>AddOrmPerf</c>.</param>
    /// <returns>The same builder.</returns>
    public static IOrmPerfBuilder AddMaterializedViews(this IOrmPerfBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<PostgresMaterializedViews>();
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
    /// it reads. Those refreshes take the same advisory lock, so one instance refreshes.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddOrmPerf</c>.</param>
    /// <param name="name">The view's name, optionally schema-qualified; validated now.</param>
    /// <param name="refreshEvery">The interval, at least one second.</param>
    /// <param name="configure">Sets the view's options; they are validated now.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The name or a source table is not a valid SQL name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The interval is shorter than one second, or the debounce or start-up timeout is not positive.</exception>
    public static IOrmPerfBuilder AddMaterializedView(this IOrmPerfBuilder builder, string name, TimeSpan refreshEvery, Action<MaterializedViewRefreshOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        SqlIdentifier.QuoteQualified(name, nameof(name));
        if (refreshEvery < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(refreshEvery), refreshEvery, $"The refresh interval of materialized view '{name}' must be at least one second.");
        }

        var options = new MaterializedViewRefreshOptions();
        configure(options);
        if (options.ChangeDebounce <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), options.ChangeDebounce, $"The change debounce of materialized view '{name}' must be positive.");
        }

        if (options.PopulateOnStartTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), options.PopulateOnStartTimeout, $"The start-up population timeout of materialized view '{name}' must be positive.");
        }

        foreach (var table in options.SourceTables)
        {
            SqlIdentifier.Split(table, nameof(MaterializedViewRefreshOptions.SourceTables));
        }

        builder.AddMaterializedViews();
        builder.Services.AddSingleton(new MaterializedViewSchedule(
            name, refreshEvery, options.RefreshOnChange ? options.ChangeDebounce : null, options.SourceTables.ToArray(),
            options.ValidateOnStart, options.PopulateOnStartTimeout));
        builder.Services.TryAddSingleton<MaterializedViewRefreshScheduler>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MaterializedViewRefreshScheduler>(
            sp => sp.GetRequiredService<MaterializedViewRefreshScheduler>()));
        if (options.RefreshOnChange)
        {
            builder.Services.TryAddSingleton<MaterializedViewChangeListener>();
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITableChangeListener, MaterializedViewChangeListener>(
                sp => sp.GetRequiredService<MaterializedViewChangeListener>()));
        }

        return builder;
    }

    /// <summary>
    /// Also takes reports of writes from outside the process: a hosted service holds one connection to the primary that
    /// <c>LISTEN</c>s on <see cref="TableChangeNotificationOptions.Channel"/>, and each
    /// <c>NOTIFY ormperf_table_changed, 'schema.table'</c> brings forward the refresh of the views registered with
    /// <see cref="MaterializedViewRefreshOptions.RefreshOnChange"/> that read that table. Every instance hears every
    /// notification; the advisory lock and the refresh bookkeeping keep it to one refresh. Behind a transaction pooler
    /// (PgBouncer), set <see cref="TableChangeNotificationOptions.ConnectionString"/> to a direct connection: the
    /// listener refuses a pooled one and stops the host with a message naming that setting.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddOrmPerf</c>.</param>
    /// <param name="configure">Sets the channel and timings; validated now. Null for the defaults.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The channel is not a plain identifier.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A delay or interval is not positive.</exception>
    public static IOrmPerfBuilder AddMaterializedViewChangeNotifications(this IOrmPerfBuilder builder, Action<TableChangeNotificationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new TableChangeNotificationOptions();
        configure?.Invoke(options);
        SqlIdentifier.Quote(options.Channel, nameof(TableChangeNotificationOptions.Channel));
        if (options.ConnectionString is { } direct)
        {
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(direct);
            }
            catch (ArgumentException error)
            {
                throw new ArgumentException($"The connection string of the change channel '{options.Channel}' is not a valid Npgsql connection string: {error.Message}", nameof(configure), error);
            }
        }

        if (options.ReconnectDelay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), options.ReconnectDelay, $"The reconnect delay of the change channel '{options.Channel}' must be positive.");
        }

        if (options.KeepAliveInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), options.KeepAliveInterval, $"The keep-alive interval of the change channel '{options.Channel}' must be positive.");
        }

        builder.AddMaterializedViews();
        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton<MaterializedViewRefreshScheduler>();
        builder.Services.TryAddSingleton<MaterializedViewChangeListener>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TableChangeNotificationListener>());
        return builder;
    }
}
