using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrmPerf.Batching;

namespace OrmPerf.Core.Tests.Batching;

public sealed class AddBatchWriterOptionsTests
{
    private sealed record Row(long Id);

    [Fact]
    public void Invalid_options_are_refused_when_resolved_naming_every_bad_value()
    {
        var builder = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1");
        builder.AddBatchWriter<Row>(
            map => map.Table("rows").Column(r => r.Id),
            o =>
            {
                o.MaxBatchSize = 0;
                o.QueueCapacity = -1;
                o.MaxDelay = TimeSpan.FromMilliseconds(-1);
                o.RetryTimeout = TimeSpan.Zero;
                o.RetryBaseDelay = TimeSpan.FromSeconds(10);
                o.ShutdownTimeout = TimeSpan.FromDays(2);
            });
        using var provider = builder.Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IBatchWriter<Row>>());

        Assert.Equal(typeof(Row).FullName, error.OptionsName);
        Assert.Contains(error.Failures, f => f.Contains("MaxBatchSize", StringComparison.Ordinal) && f.Contains("got 0", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("QueueCapacity", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("MaxDelay", StringComparison.Ordinal) && f.Contains("got -00:00:00.0010000", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RetryTimeout", StringComparison.Ordinal) && f.Contains("got 00:00:00", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RetryBaseDelay", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("ShutdownTimeout", StringComparison.Ordinal) && f.Contains("got 2.00:00:00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invalid_options_fail_the_host_at_start()
    {
        var hostBuilder = Host.CreateApplicationBuilder();
        hostBuilder.Services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1")
            .AddKeyedBatchWriter<Row>("audit", map => map.Table("rows").Column(r => r.Id), o => o.ImportBatchSize = 0);
        using var host = hostBuilder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal("audit", error.OptionsName);
        Assert.Contains("ImportBatchSize must be at least 1, got 0", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void The_settings_bind_from_configuration_under_the_writer_options_name()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Audit:MaxBatchSize"] = "500",
            ["Audit:ImportBatchSize"] = "1000",
            ["Audit:ImportParallelism"] = "2",
            ["Audit:MaxDelay"] = "00:00:00.050",
            ["Audit:QueueCapacity"] = "3000",
            ["Audit:MaxConcurrentBatches"] = "3",
            ["Audit:Mode"] = "Insert",
            ["Audit:SmallBatchInsertLimit"] = "0",
            ["Audit:MaxRetryAttempts"] = "4",
            ["Audit:RetryTimeout"] = "00:00:20",
            ["Audit:RetryBaseDelay"] = "00:00:00.200",
            ["Audit:RetryMaxDelay"] = "00:00:02",
            ["Audit:ShutdownTimeout"] = "00:00:07",
        }).Build();
        var builder = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1");
        builder.AddKeyedBatchWriter<Row>("audit", map => map.Table("audit_rows").Column(r => r.Id));
        builder.Services.Configure<BatchWriterOptions>("audit", configuration.GetSection("Audit"));
        using var provider = builder.Services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<BatchWriterOptions>>().Get("audit");

        Assert.Equal(500, options.MaxBatchSize);
        Assert.Equal(1000, options.ImportBatchSize);
        Assert.Equal(2, options.ImportParallelism);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.MaxDelay);
        Assert.Equal(3000, options.QueueCapacity);
        Assert.Equal(3, options.MaxConcurrentBatches);
        Assert.Equal(WriteMode.Insert, options.Mode);
        Assert.Equal(0, options.SmallBatchInsertLimit);
        Assert.Equal(4, options.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromSeconds(20), options.RetryTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.RetryBaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(2), options.RetryMaxDelay);
        Assert.Equal(TimeSpan.FromSeconds(7), options.ShutdownTimeout);
    }

    [Fact]
    public async Task On_a_keyed_primary_the_writer_uses_that_primary()
    {
        var builder = new ServiceCollection().AddKeyedOrmPerf("reports", o => o.ConnectionString = "Host=127.0.0.1");
        builder.AddBatchWriter<Row>(map => map.Table("rows").Column(r => r.Id));
        await using var provider = builder.Services.BuildServiceProvider();

        Assert.IsType<BatchWriter<Row>>(provider.GetRequiredService<IBatchWriter<Row>>());
        Assert.Null(provider.GetService<Npgsql.NpgsqlDataSource>());
    }

    [Fact]
    public void A_max_delay_over_an_hour_is_refused_when_the_writer_is_constructed()
    {
        var map = new TableMapBuilder<Row>().Table("rows").Column(r => r.Id).Build();
        using var dataSource = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1");

        var error = Assert.Throws<ArgumentException>(() => new BatchWriter<Row>(dataSource, map, new BatchWriterOptions { MaxDelay = TimeSpan.FromDays(60) }));

        Assert.Contains("MaxDelay must be zero (off) or positive and at most 01:00:00, got 60.00:00:00", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unkeyed_writer_is_registered_once_per_row_type_and_a_second_one_is_pointed_to_the_keyed_registration()
    {
        var builder = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1");
        builder.AddBatchWriter<Row>(map => map.Table("rows").Column(r => r.Id));

        Assert.Contains(builder.Services, d => d.ServiceType == typeof(IBatchWriter<Row>) && d.Lifetime == ServiceLifetime.Singleton);
        Assert.Contains(builder.Services, d => d.ServiceType == typeof(IHostedService));
        var error = Assert.Throws<InvalidOperationException>(() => builder.AddBatchWriter<Row>(map => map.Table("rows").Column(r => r.Id)));
        Assert.Contains("AddKeyedBatchWriter<Row>(serviceKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keyed_writers_of_one_row_type_are_distinct_and_one_key_is_registered_once()
    {
        var builder = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1");
        builder.AddBatchWriter<Row>(map => map.Table("rows").Column(r => r.Id))
            .AddKeyedBatchWriter<Row>("archive", map => map.Table("archived_rows").Column(r => r.Id), o => o.MaxBatchSize = 7);
        await using var provider = builder.Services.BuildServiceProvider();

        var plain = provider.GetRequiredService<IBatchWriter<Row>>();
        var archive = provider.GetRequiredKeyedService<IBatchWriter<Row>>("archive");

        Assert.NotSame(plain, archive);
        Assert.Equal("rows", ((BatchWriter<Row>)plain).Map.Table);
        Assert.Equal("archived_rows", ((BatchWriter<Row>)archive).Map.Table);
        Assert.Equal(7, provider.GetRequiredService<IOptionsMonitor<BatchWriterOptions>>().Get("archive").MaxBatchSize);
        Assert.Equal(50_000, provider.GetRequiredService<IOptionsMonitor<BatchWriterOptions>>().Get(typeof(Row).FullName).MaxBatchSize);
        Assert.Equal(2, provider.GetServices<IHostedService>().Count());
        Assert.Throws<InvalidOperationException>(() => builder.AddKeyedBatchWriter<Row>("archive", map => map.Table("rows").Column(r => r.Id)));
    }
}
