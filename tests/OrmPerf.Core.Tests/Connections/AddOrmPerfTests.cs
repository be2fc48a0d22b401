using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using OrmPerf.Connections;

namespace OrmPerf.Core.Tests.Connections;

public sealed class AddOrmPerfTests
{
    [Fact]
    public async Task Registers_the_primary_data_source_built_with_the_pool_profile()
    {
        var services = new ServiceCollection();
        var builder = services.AddOrmPerf(o =>
        {
            o.ConnectionString = "Host=127.0.0.1;Database=shop";
            o.Pool = PoolProfile.Production with { MaxPoolSize = 40 };
        });
        await using var provider = services.BuildServiceProvider();

        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();

        Assert.Same(services, builder.Services);
        Assert.Same(dataSource, provider.GetRequiredService<DbDataSource>());
        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal(40, settings.MaxPoolSize);
        Assert.Equal(5, settings.Timeout);
        Assert.Equal("shop", settings.Database);
    }

    [Fact]
    public async Task ConfigureDataSource_runs_for_the_primary_with_its_name()
    {
        string? seen = null;
        var services = new ServiceCollection();
        services.AddOrmPerf(o =>
        {
            o.ConnectionString = "Host=127.0.0.1";
            o.ConfigureDataSource = (_, name) => seen = name;
        });
        await using var provider = services.BuildServiceProvider();

        _ = provider.GetRequiredService<NpgsqlDataSource>();

        Assert.Equal(IOrmPerfDataSourceFactory.PrimaryName, seen);
    }

    [Fact]
    public async Task Each_data_source_gets_a_distinct_Npgsql_name_of_its_role_and_profile()
    {
        var names = new List<string?>();
        var providers = new List<ServiceProvider>();
        for (var i = 0; i < 2; i++)
        {
            var services = new ServiceCollection();
            services.AddOrmPerf(o =>
            {
                o.ConnectionString = "Host=127.0.0.1";
                o.ConfigureDataSource = (builder, _) => names.Add(builder.Name);
            });
            providers.Add(services.BuildServiceProvider());
            _ = providers[^1].GetRequiredService<NpgsqlDataSource>();
        }

        foreach (var provider in providers)
        {
            await provider.DisposeAsync();
        }

        Assert.All(names, name => Assert.StartsWith("primary/Production", name));
        Assert.Equal(2, names.Distinct().Count());
    }

    [Theory]
    [InlineData("", "OrmPerfOptions.ConnectionString must not be empty.")]
    [InlineData("   ", "OrmPerfOptions.ConnectionString must not be empty.")]
    [InlineData("Host=127.0.0.1;Colour=blue", "OrmPerfOptions.ConnectionString is not a valid Npgsql connection string")]
    [InlineData("Host=db1,db2:5433", "OrmPerfOptions.ConnectionString lists several hosts (db1:5432,db2:5433) with Target Session Attributes 'any'")]
    [InlineData("Host=db1,db2;Target Session Attributes=prefer-standby", "Target Session Attributes 'prefer-standby'; the primary's data source carries writes, so set Target Session Attributes=read-write")]
    public async Task The_host_refuses_to_start_with_a_bad_connection_string(string connectionString, string expected)
    {
        var error = await StartHostExpectingFailure(o => o.ConnectionString = connectionString);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_host_refuses_to_start_with_a_bad_pool_and_names_every_bad_setting()
    {
        var error = await StartHostExpectingFailure(o =>
        {
            o.ConnectionString = "Host=127.0.0.1";
            o.Pool = PoolProfile.Production with { MinPoolSize = 30, AcquireTimeout = TimeSpan.Zero };
        });

        Assert.Contains("OrmPerfOptions.Pool.MinPoolSize (30) must not exceed OrmPerfOptions.Pool.MaxPoolSize (23).", error.Failures);
        Assert.Contains("OrmPerfOptions.Pool.AcquireTimeout must be between 00:00:01 and 00:17:04, but was 00:00:00.", error.Failures);
    }

    [Theory]
    [InlineData("Host=db1,db2;Target Session Attributes=read-write")]
    [InlineData("Host=db1:5432,db2:5433;Target Session Attributes=primary")]
    public async Task A_multi_host_primary_that_targets_the_writable_host_builds_Npgsqls_multi_host_data_source(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = connectionString);
        await using var provider = services.BuildServiceProvider();

        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();

        Assert.IsType<NpgsqlMultiHostDataSource>(dataSource);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=6000", "127.0.0.1:6000")]
    [InlineData("Host=db1,db2:5433;Port=5440", "db1:5440,db2:5433")]
    [InlineData("Host=[::1]:5433,::1", "[::1]:5433,[::1]:5432")]
    public void Endpoints_are_described_host_by_host_for_logs(string connectionString, string expected) =>
        Assert.Equal(expected, ServerEndpoints.Describe(new NpgsqlConnectionStringBuilder(connectionString)));

    [Fact]
    public void Null_arguments_are_rejected_by_name()
    {
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => OrmPerfServiceCollectionExtensions.AddOrmPerf(null!, _ => { })).ParamName);
        Assert.Equal("configure", Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddOrmPerf(null!)).ParamName);
    }

    private static async Task<OptionsValidationException> StartHostExpectingFailure(Action<OrmPerfOptions> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddOrmPerf(configure);
        using var host = builder.Build();
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
    }
}
