namespace Microsoft.Extensions.DependencyInjection;

internal sealed class OrmPerfBuilder(IServiceCollection services, object? serviceKey, string name) : IOrmPerfBuilder
{
    public IServiceCollection Services { get; } = services;

    public object? ServiceKey { get; } = serviceKey;

    public string Name { get; } = name;
}
