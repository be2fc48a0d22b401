using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
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
    public void On_a_keyed_primary_the_views_use_that_primary()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddKeyedOrmPerf("reports", o => o.ConnectionString = "Host=127.0.0.1;Username=u")
            .AddMaterializedView("sales_summary", TimeSpan.FromMinutes(5))
            .AddMaterializedViewChangeNotifications();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<PostgresMaterializedViews>(provider.GetRequiredService<IMaterializedViews>());
        Assert.Equal(2, provider.GetServices<IHostedService>().Count());
        Assert.Null(provider.GetService<Npgsql.NpgsqlDataSource>());
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
    public void Every_view_shares_the_one_change_listener_and_without_refresh_on_change_has_no_debounce()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1;Username=u").AddMaterializedView("sales_summary", TimeSpan.FromMinutes(5));
        using var provider = services.BuildServiceProvider();

        Assert.IsType<MaterializedViewChangeListener>(Assert.Single(provider.GetServices<ITableChangeListener>()));
        var scheduler = Assert.IsType<MaterializedViewRefreshScheduler>(Assert.Single(provider.GetServices<IHostedService>()));
        Assert.Null(Assert.Single(scheduler.Schedules).ChangeDebounce);
    }

    [Fact]
    public void Rejects_a_debounce_and_a_start_up_timeout_that_are_not_positive_and_a_bad_source_table_naming_each()
    {
        var builder = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1;Username=u");
        builder.AddMaterializedView("sales_summary", TimeSpan.FromMinutes(1), o =>
        {
            o.RefreshOnChange = true;
            o.ChangeDebounce = TimeSpan.Zero;
            o.PopulateOnStartTimeout = TimeSpan.FromSeconds(-1);
            o.SourceTables.Add("orders; DROP TABLE x");
        });
        using var provider = builder.Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<MaterializedViewRefreshOptions>>().Get("sales_summary"));

        Assert.Equal(3, error.Failures.Count());
        Assert.All(error.Failures, f => Assert.Contains("'sales_summary'", f, StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("ChangeDebounce must be positive, got 00:00:00", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("PopulateOnStartTimeout must be positive, got -00:00:01", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("got 'orders; DROP TABLE x'", StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_bad_change_notification_options_naming_each()
    {
        var builder = new ServiceCollection().AddLogging().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1;Username=u");
        builder.AddMaterializedViewChangeNotifications(o =>
        {
            o.ConnectionString = "Host=127.0.0.1;Nonsense=1";
            o.ReconnectDelay = TimeSpan.Zero;
            o.KeepAliveInterval = TimeSpan.FromSeconds(-2);
        });
        using var provider = builder.Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetServices<IHostedService>().ToList());

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("ConnectionString", StringComparison.Ordinal) && f.Contains("ormperf_table_changed", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("ReconnectDelay must be positive, got 00:00:00", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("KeepAliveInterval must be positive, got -00:00:02", StringComparison.Ordinal));
    }

    [Fact]
    public void View_and_change_notification_settings_bind_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Views:sales_summary:RefreshOnChange"] = "true",
            ["Views:sales_summary:ChangeDebounce"] = "00:00:02",
            ["Views:sales_summary:SourceTables:0"] = "sales.orders",
            ["Views:sales_summary:ValidateOnStart"] = "false",
            ["Views:sales_summary:PopulateOnStartTimeout"] = "00:01:00",
            ["Changes:Channel"] = "my_changes",
            ["Changes:ConnectionString"] = "Host=db;Username=u",
            ["Changes:ReconnectDelay"] = "00:00:03",
            ["Changes:KeepAliveInterval"] = "00:00:40",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1;Username=u")
            .AddMaterializedView("sales_summary", TimeSpan.FromMinutes(5), _ => { })
            .AddMaterializedViewChangeNotifications();
        services.Configure<MaterializedViewRefreshOptions>("sales_summary", configuration.GetSection("Views:sales_summary"));
        services.Configure<TableChangeNotificationOptions>(configuration.GetSection("Changes"));
        using var provider = services.BuildServiceProvider();

        var schedule = Assert.Single(Assert.IsType<MaterializedViewRefreshScheduler>(provider.GetServices<IHostedService>().First()).Schedules);
        var changes = provider.GetRequiredService<IOptionsMonitor<TableChangeNotificationOptions>>().CurrentValue;

        Assert.Equal(TimeSpan.FromSeconds(2), schedule.ChangeDebounce);
        Assert.Equal(["sales.orders"], schedule.SourceTables);
        Assert.False(schedule.ValidateOnStart);
        Assert.Equal(TimeSpan.FromMinutes(1), schedule.PopulateOnStartTimeout);
        Assert.Equal("my_changes", changes.Channel);
        Assert.Equal("Host=db;Username=u", changes.ConnectionString);
        Assert.Equal(TimeSpan.FromSeconds(3), changes.ReconnectDelay);
        Assert.Equal(TimeSpan.FromSeconds(40), changes.KeepAliveInterval);
    }
}
