using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using OrmPerf.Connections;

namespace OrmPerf.Core.Tests.Connections;

public sealed class AddKeyedOrmPerfTests
{
    [Fact]
    public async Task Two_primaries_live_in_one_container_each_with_its_own_options_and_data_source()
    {
        var services = new ServiceCollection();
        var plain = services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1;Database=shop");
        var keyed = services.AddKeyedOrmPerf("reporting", o =>
        {
            o.ConnectionString = "Host=127.0.0.1;Database=reports";
            o.Pool = PoolProfile.Production with { MaxPoolSize = 7 };
        });
        await using var provider = services.BuildServiceProvider();

        var shop = provider.GetRequiredService<NpgsqlDataSource>();
        var reports = provider.GetRequiredKeyedService<NpgsqlDataSource>("reporting");

        Assert.Null(plain.ServiceKey);
        Assert.Equal(Options.DefaultName, plain.Name);
        Assert.Equal("reporting", keyed.ServiceKey);
        Assert.Equal("reporting", keyed.Name);
        Assert.NotSame(shop, reports);
        Assert.Equal("shop", new NpgsqlConnectionStringBuilder(shop.ConnectionString).Database);
        var settings = new NpgsqlConnectionStringBuilder(reports.ConnectionString);
        Assert.Equal("reports", settings.Database);
        Assert.Equal(7, settings.MaxPoolSize);
        Assert.Same(reports, provider.GetRequiredKeyedService<DbDataSource>("reporting"));
        Assert.Same(shop, provider.GetRequiredKeyedService<NpgsqlDataSource>(null));
        Assert.NotSame(provider.GetRequiredService<IOrmPerfDataSourceFactory>(), provider.GetRequiredKeyedService<IOrmPerfDataSourceFactory>("reporting"));
    }

    [Fact]
    public async Task A_keyed_primary_binds_its_options_from_configuration_by_the_keys_name()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OrmPerf:reporting:ConnectionString"] = "Host=127.0.0.1;Database=bound",
        }).Build();
        var services = new ServiceCollection();
        services.AddKeyedOrmPerf("reporting", _ => { });
        services.Configure<OrmPerfOptions>("reporting", configuration.GetSection("OrmPerf:reporting"));
        await using var provider = services.BuildServiceProvider();

        var dataSource = provider.GetRequiredKeyedService<NpgsqlDataSource>("reporting");

        Assert.Equal("bound", new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).Database);
    }

    [Fact]
    public void A_second_AddOrmPerf_is_refused_and_names_AddKeyedOrmPerf()
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1");

        var error = Assert.Throws<InvalidOperationException>(() => services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.2"));

        Assert.Contains("AddKeyedOrmPerf", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_used_twice_is_refused_with_the_key_named()
    {
        var services = new ServiceCollection();
        services.AddKeyedOrmPerf("reporting", o => o.ConnectionString = "Host=127.0.0.1");

        var error = Assert.Throws<InvalidOperationException>(() => services.AddKeyedOrmPerf("reporting", o => o.ConnectionString = "Host=127.0.0.1"));

        Assert.Contains("'reporting'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_whose_ToString_is_empty_is_refused_because_it_would_share_the_unkeyed_options()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentException>(() => services.AddKeyedOrmPerf(new EmptyKey(), o => o.ConnectionString = "Host=127.0.0.1"));

        Assert.Equal("serviceKey", error.ParamName);
        Assert.Contains(nameof(EmptyKey), error.Message, StringComparison.Ordinal);
    }

    private sealed class EmptyKey
    {
        public override string ToString() => "";
    }
}
