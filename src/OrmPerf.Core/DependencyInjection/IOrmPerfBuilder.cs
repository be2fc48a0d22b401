namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by <c>services.AddOrmPerf(...)</c> and <c>AddKeyedOrmPerf(...)</c>; OrmPerf's features and add-on packages
/// extend it (<c>AddRedisCache</c>, <c>AddReadReplicas</c>, <c>AddBatchWriter&lt;T&gt;</c>, ...), so one chain wires
/// everything against one primary.
/// </summary>
public interface IOrmPerfBuilder
{
    /// <summary>The service collection OrmPerf registers into.</summary>
    IServiceCollection Services { get; }

    /// <summary>
    /// The key the primary's <see cref="Npgsql.NpgsqlDataSource"/> is registered under: <see langword="null"/> for
    /// <c>AddOrmPerf</c> (a plain registration), the caller's key for <c>AddKeyedOrmPerf</c>. Features chained on this
    /// builder resolve their data source with it (<c>GetRequiredKeyedService&lt;NpgsqlDataSource&gt;(ServiceKey)</c>).
    /// </summary>
    object? ServiceKey { get; }

    /// <summary>
    /// The name of this primary's <see cref="OrmPerf.OrmPerfOptions"/> (<see cref="Options.Options.DefaultName"/> for
    /// <c>AddOrmPerf</c>); features chained on this builder name their own options after it when the caller gives no name.
    /// </summary>
    string Name { get; }
}
