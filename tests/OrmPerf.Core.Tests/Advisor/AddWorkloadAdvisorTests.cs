using Microsoft.Extensions.DependencyInjection;
using OrmPerf.Advisor;

namespace OrmPerf.Core.Tests.Advisor;

public sealed class AddWorkloadAdvisorTests
{
    [Fact]
    public void Registers_one_advisor()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1;Username=u").AddWorkloadAdvisor().AddWorkloadAdvisor();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<PostgresWorkloadAdvisor>(provider.GetRequiredService<IWorkloadAdvisor>());
        Assert.Single(services, d => d.ServiceType == typeof(IWorkloadAdvisor));
    }

    [Fact]
    public void On_a_keyed_primary_the_advisor_uses_that_primary()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddKeyedOrmPerf("reports", o => o.ConnectionString = "Host=127.0.0.1;Username=u").AddWorkloadAdvisor();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<PostgresWorkloadAdvisor>(provider.GetRequiredService<IWorkloadAdvisor>());
        Assert.Null(provider.GetService<Npgsql.NpgsqlDataSource>());
    }

    [Theory]
    [InlineData(nameof(WorkloadAdvisorOptions.TopStatements))]
    [InlineData(nameof(WorkloadAdvisorOptions.MinCostReduction))]
    [InlineData(nameof(WorkloadAdvisorOptions.MinExpectedHitRatio))]
    [InlineData(nameof(WorkloadAdvisorOptions.Instances))]
    public async Task Rejects_bad_thresholds_before_touching_the_database(string name)
    {
        var options = name switch
        {
            nameof(WorkloadAdvisorOptions.TopStatements) => new WorkloadAdvisorOptions { TopStatements = 0 },
            nameof(WorkloadAdvisorOptions.MinCostReduction) => new WorkloadAdvisorOptions { MinCostReduction = 1.5 },
            nameof(WorkloadAdvisorOptions.MinExpectedHitRatio) => new WorkloadAdvisorOptions { MinExpectedHitRatio = double.NaN },
            _ => new WorkloadAdvisorOptions { Instances = 0 },
        };
        var services = new ServiceCollection().AddLogging();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1;Port=1;Username=u").AddWorkloadAdvisor();
        using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            provider.GetRequiredService<IWorkloadAdvisor>().AnalyzeAsync(options, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(name, error.ParamName);
    }
}
