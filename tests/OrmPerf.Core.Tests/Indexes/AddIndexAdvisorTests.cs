using Microsoft.Extensions.DependencyInjection;
using OrmPerf.Indexes;

namespace OrmPerf.Core.Tests.Indexes;

public sealed class AddIndexAdvisorTests
{
    [Fact]
    public void Registers_one_advisor_over_the_primary()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1;Username=u").AddIndexAdvisor().AddIndexAdvisor();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<PostgresIndexAdvisor>(provider.GetRequiredService<IIndexAdvisor>());
        Assert.Single(services, d => d.ServiceType == typeof(IIndexAdvisor));
    }

    [Fact]
    public void On_a_keyed_primary_the_advisor_uses_that_primary()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddKeyedOrmPerf("reports", o => o.ConnectionString = "Host=127.0.0.1;Username=u").AddIndexAdvisor();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<PostgresIndexAdvisor>(provider.GetRequiredService<IIndexAdvisor>());
        Assert.Null(provider.GetService<Npgsql.NpgsqlDataSource>());
    }

    [Fact]
    public async Task Rejects_negative_thresholds_before_touching_the_database()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1;Port=1;Username=u").AddIndexAdvisor();
        using var provider = services.BuildServiceProvider();
        var advisor = provider.GetRequiredService<IIndexAdvisor>();

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            advisor.AnalyzeAsync(new IndexAnalysisOptions { MinSequentialScans = -1 }, TestContext.Current.CancellationToken));
        Assert.Equal(nameof(IndexAnalysisOptions.MinSequentialScans), error.ParamName);
    }
}
