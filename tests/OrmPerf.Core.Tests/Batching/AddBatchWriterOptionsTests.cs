using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrmPerf.Batching;

namespace OrmPerf.Core.Tests.Batching;

public sealed class AddBatchWriterOptionsTests
{
    private sealed record Row(long Id);

    [Fact]
    public void Invalid_options_are_refused_when_added_naming_every_bad_value()
    {
        var builder = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1");

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddBatchWriter<Row>(
            map => map.Table("rows").Column(r => r.Id),
            o =>
            {
                o.MaxBatchSize = 0;
                o.QueueCapacity = -1;
                o.MaxDelay = TimeSpan.FromMilliseconds(-1);
                o.RetryTimeout = TimeSpan.Zero;
                o.RetryBaseDelay = TimeSpan.FromSeconds(10);
            }));

        Assert.Contains(error.Failures, f => f.Contains("MaxBatchSize", StringComparison.Ordinal) && f.Contains("got 0", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("QueueCapacity", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("MaxDelay", StringComparison.Ordinal) && f.Contains("got -00:00:00.0010000", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RetryTimeout", StringComparison.Ordinal) && f.Contains("got 00:00:00", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RetryBaseDelay", StringComparison.Ordinal));
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
    public void A_writer_is_registered_once_per_row_type_as_writer_and_hosted_service()
    {
        var builder = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1");
        builder.AddBatchWriter<Row>(map => map.Table("rows").Column(r => r.Id));

        Assert.Contains(builder.Services, d => d.ServiceType == typeof(IBatchWriter<Row>) && d.Lifetime == ServiceLifetime.Singleton);
        Assert.Contains(builder.Services, d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService));
        Assert.Throws<InvalidOperationException>(() => builder.AddBatchWriter<Row>(map => map.Table("rows").Column(r => r.Id)));
    }
}
