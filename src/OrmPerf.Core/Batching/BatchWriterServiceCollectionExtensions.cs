using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OrmPerf.Batching;
using OrmPerf.Changes;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds batch writers: <c>services.AddOrmPerf(...).AddBatchWriter&lt;OrderEvent&gt;(t =&gt; t.Table("order_events")...)</c>.</summary>
public static class BatchWriterServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IBatchWriter{T}"/> (and <see cref="BatchWriter{T}"/>) as a singleton on the primary data source,
    /// and as a hosted service that checks the map against the table at start and drains the queue at stop. An
    /// <see cref="IRejectedRowSink{T}"/> registered in the container receives rejected rows; every registered
    /// <see cref="ITableChangeListener"/> (the query cache's, when <c>AddQueryCache</c> was called) hears of each committed batch.
    /// </summary>
    /// <typeparam name="T">The row type; one writer per row type.</typeparam>
    /// <param name="builder">The OrmPerf builder.</param>
    /// <param name="map">Describes the table and its columns.</param>
    /// <param name="configure">Changes the default <see cref="BatchWriterOptions"/>; optional.</param>
    /// <exception cref="OptionsValidationException">
    /// An option is invalid, or the mode is an upsert keyed on the map's generated key (checked here, not at first use).
    /// </exception>
    /// <exception cref="InvalidOperationException">The map is incomplete, or a writer for <typeparamref name="T"/> exists already.</exception>
    public static IOrmPerfBuilder AddBatchWriter<T>(
        this IOrmPerfBuilder builder, Action<TableMapBuilder<T>> map, Action<BatchWriterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(map);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(BatchWriter<T>)))
        {
            throw new InvalidOperationException($"A batch writer for {typeof(T).Name} is registered already; AddBatchWriter<{typeof(T).Name}> may be called once.");
        }

        var mapBuilder = new TableMapBuilder<T>();
        map(mapBuilder);
        var tableMap = mapBuilder.Build();
        var options = new BatchWriterOptions();
        configure?.Invoke(options);
        var failures = options.ValidateFor(tableMap).ToList();
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(typeof(T).Name, typeof(BatchWriterOptions), failures);
        }

        services.AddSingleton(sp => new BatchWriter<T>(
            sp.GetRequiredService<NpgsqlDataSource>(),
            tableMap,
            options,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<IRejectedRowSink<T>>(),
            sp.GetService<ILogger<BatchWriter<T>>>(),
            sp.GetServices<ITableChangeListener>()));
        services.AddSingleton<IBatchWriter<T>>(sp => sp.GetRequiredService<BatchWriter<T>>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<BatchWriter<T>>());
        return builder;
    }
}
