namespace Microsoft.Extensions.DependencyInjection;

internal sealed class OrmPerfBuilder(IServiceCollection services) : IOrmPerfBuilder
{
    public IServiceCollection Services { get; } = services;
}
