using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrmPerf.MaterializedViews;

namespace OrmPerf.Core.Tests.MaterializedViews;

public sealed class AddMaterializedViewTests
{
    [Fact]
    public void Registers_the_service_and_one_scheduler_for_all_views()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1;Username=u")
            .AddMaterializedView("sales_summary", TimeSpan.FromMinutes(5))
            .AddMaterializedView("reporting.daily", TimeSpan.FromHours(1));
        using var provider = services.BuildServiceProvider();

        Assert.IsType<PostgresMaterializedViews>(provider.GetRequiredService<IMaterializedViews>());
        Assert.Single(provider.GetServices<IHostedService>());
    }

    [Fact]
    public void Rejects_a_bad_name_and_a_too_short_interval()
    {
        var builder = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1;Username=u");

        Assert.Throws<ArgumentException>(() => builder.AddMaterializedView("x; DROP TABLE y", TimeSpan.FromMinutes(1)));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddMaterializedView("ok", TimeSpan.FromMilliseconds(10)));
        Assert.Contains("'ok'", error.Message);
    }
}
