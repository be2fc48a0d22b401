using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrmPerf.Changes;
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

    [Fact]
    public void Refresh_on_change_registers_one_table_change_listener_tied_to_the_scheduler()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1;Username=u")
            .AddMaterializedView("sales_summary", TimeSpan.FromMinutes(5), o => o.RefreshOnChange = true)
            .AddMaterializedView("reporting.daily", TimeSpan.FromHours(1), o =>
            {
                o.RefreshOnChange = true;
                o.SourceTables.Add("sales.orders");
            })
            .AddMaterializedView("reporting.weekly", TimeSpan.FromHours(1));
        using var provider = services.BuildServiceProvider();

        Assert.IsType<MaterializedViewChangeListener>(Assert.Single(provider.GetServices<ITableChangeListener>()));
        var scheduler = Assert.IsType<MaterializedViewRefreshScheduler>(Assert.Single(provider.GetServices<IHostedService>()));
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), null], scheduler.Schedules.Select(s => s.ChangeDebounce));
        Assert.Equal(["sales.orders"], scheduler.Schedules[1].SourceTables);
    }

    [Fact]
    public void Without_refresh_on_change_no_table_change_listener_is_registered()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1;Username=u").AddMaterializedView("sales_summary", TimeSpan.FromMinutes(5));
        using var provider = services.BuildServiceProvider();

        Assert.Empty(provider.GetServices<ITableChangeListener>());
    }

    [Fact]
    public void Rejects_a_debounce_that_is_not_positive_and_a_bad_source_table()
    {
        var builder = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1;Username=u");

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddMaterializedView("sales_summary", TimeSpan.FromMinutes(1), o =>
        {
            o.RefreshOnChange = true;
            o.ChangeDebounce = TimeSpan.Zero;
        }));
        Assert.Contains("'sales_summary'", error.Message);
        Assert.Throws<ArgumentException>(() => builder.AddMaterializedView("sales_summary", TimeSpan.FromMinutes(1), o => o.SourceTables.Add("orders; DROP TABLE x")));
    }

    [Fact]
    public void Rejects_a_start_up_timeout_that_is_not_positive_and_a_bad_listening_connection_string()
    {
        var builder = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1;Username=u");

        var timeout = Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddMaterializedView("sales_summary", TimeSpan.FromMinutes(1), o => o.PopulateOnStartTimeout = TimeSpan.Zero));
        var connection = Assert.Throws<ArgumentException>(() => builder.AddMaterializedViewChangeNotifications(o => o.ConnectionString = "Host=127.0.0.1;Nonsense=1"));

        Assert.Contains("'sales_summary'", timeout.Message);
        Assert.Contains("ormperf_table_changed", connection.Message);
    }
}
