namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by <c>services.AddOrmPerf(...)</c>; OrmPerf's features and add-on packages extend it
/// (<c>AddRedisCache</c>, <c>AddReadReplicas</c>, <c>AddBatchWriter&lt;T&gt;</c>, ...), so one chain wires everything.
/// </summary>
public interface IOrmPerfBuilder
{
    /// <summary>The service collection OrmPerf registers into.</summary>
    IServiceCollection Services { get; }
}
