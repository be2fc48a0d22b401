using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OrmPerf.Batching;
using OrmPerf.Changes;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds batch writers: <c>services.AddOrmPerf(...).AddBatchWriter&lt;OrderEvent&gt;(t =&gt; t.Table("order_events")...)</c>,
/// or several for one row type with <c>AddKeyedBatchWriter</c>.
/// </summary>
public static class BatchWriterServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IBatchWriter{T}"/> as a singleton on the builder's primary data source, and as a hosted
    /// service that checks the map against the table at start and drains the queue at stop. Its
    /// <see cref="BatchWriterOptions"/> are named after <typeparamref name="T"/>'s full name, so they can also be bound
    /// from configuration (<c>services.Configure&lt;BatchWriterOptions&gt;(typeof(T).FullName, section)</c>); they are
    /// validated when the host starts. An <see cref="IRejectedRowSink{T}"/> registered in the container receives
    /// rejected rows; every registered <see cref="ITableChangeListener"/> (the query cache's, when <c>AddQueryCache</c>
    /// was called) hears of each committed batch.
    /// </summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="builder">The OrmPerf builder.</param>
    /// <param name="map">Describes the table and its columns.</param>
    /// <param name="configure">Changes the default <see cref="BatchWriterOptions"/>; optional.</param>
    /// <returns>The builder, to chain further features.</returns>
    /// <exception cref="InvalidOperationException">
    /// The map is incomplete, or an unkeyed writer for <typeparamref name="T"/> exists already (a second writer for the
    /// same row type takes <see cref="AddKeyedBatchWriter{T}"/>).
    /// </exception>
    /// <remarks>
    /// Invalid options (or an upsert keyed on the map's generated key) throw <see cref="OptionsValidationException"/>
    /// when the host starts, or outside a host when the writer is first resolved.
    /// </remarks>
    public static IOrmPerfBuilder AddBatchWriter<T>(
        this IOrmPerfBuilder builder, Action<TableMapBuilder<T>> map, Action<BatchWriterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(map);
        if (builder.Services.IsRegistered(typeof(IBatchWriter<T>), serviceKey: null))
        {
            throw new InvalidOperationException(
                $"A batch writer for {typeof(T).Name} is registered already; AddBatchWriter<{typeof(T).Name}> may be called once. Register further writers for the same row type (e.g. to other tables) with AddKeyedBatchWriter<{typeof(T).Name}>(serviceKey, ...).");
        }

        return Register(builder, null, typeof(T).FullName ?? typeof(T).Name, map, configure);
    }

    /// <summary>
    /// Registers a batch writer as <see cref="AddBatchWriter{T}"/> does, but as a keyed <see cref="IBatchWriter{T}"/>
    /// under <paramref name="serviceKey"/> (<c>[FromKeyedServices(key)]</c>), so that one container can hold several
    /// writers for the same row type, each on its own table. Its <see cref="BatchWriterOptions"/> are named after the
    /// key's <see cref="object.ToString"/>. Its rejected rows go to an <see cref="IRejectedRowSink{T}"/> registered under
    /// the same key, else to the unkeyed one, if any.
    /// </summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="builder">The OrmPerf builder.</param>
    /// <param name="serviceKey">The key to resolve the writer with; its <see cref="object.ToString"/> names its options.</param>
    /// <param name="map">Describes the table and its columns.</param>
    /// <param name="configure">Changes the default <see cref="BatchWriterOptions"/>; optional.</param>
    /// <returns>The builder, to chain further features.</returns>
    /// <exception cref="ArgumentException">The key's <see cref="object.ToString"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The map is incomplete, or a writer for <typeparamref name="T"/> is registered under this key already.</exception>
    public static IOrmPerfBuilder AddKeyedBatchWriter<T>(
        this IOrmPerfBuilder builder, object serviceKey, Action<TableMapBuilder<T>> map, Action<BatchWriterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(serviceKey);
        ArgumentNullException.ThrowIfNull(map);
        var name = KeyedRegistrations.OptionsName(serviceKey, "the writer's options");

        if (builder.Services.IsRegistered(typeof(IBatchWriter<T>), serviceKey))
        {
            throw new InvalidOperationException($"A batch writer for {typeof(T).Name} is registered under the key '{name}' already.");
        }

        return Register(builder, serviceKey, name, map, configure);
    }

    private static IOrmPerfBuilder Register<T>(
        IOrmPerfBuilder builder, object? serviceKey, string name, Action<TableMapBuilder<T>> map, Action<BatchWriterOptions>? configure)
    {
        var services = builder.Services;
        var mapBuilder = new TableMapBuilder<T>();
        map(mapBuilder);
        var tableMap = mapBuilder.Build();

        var options = services.AddOptions<BatchWriterOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BatchWriterOptions>, BatchWriterOptionsValidator>());
        services.AddSingleton(BatchWriterTable.Of(name, tableMap));
        services.TryAddSingleton(TimeProvider.System);

        // A null key is a plain registration, so AddBatchWriter and AddKeyedBatchWriter share this code.
        var primaryKey = builder.ServiceKey;
        services.AddKeyedSingleton(serviceKey, (sp, _) => new BatchWriter<T>(
            sp.GetRequiredKeyedService<NpgsqlDataSource>(primaryKey),
            tableMap,
            sp.GetRequiredService<IOptionsMonitor<BatchWriterOptions>>().Get(name),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetKeyedService<IRejectedRowSink<T>>(serviceKey) ?? sp.GetService<IRejectedRowSink<T>>(),
            sp.GetService<ILogger<BatchWriter<T>>>(),
            sp.GetServices<ITableChangeListener>()));
        services.AddKeyedSingleton<IBatchWriter<T>>(serviceKey, (sp, key) => sp.GetRequiredKeyedService<BatchWriter<T>>(key));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredKeyedService<BatchWriter<T>>(serviceKey));
        return builder;
    }
}
