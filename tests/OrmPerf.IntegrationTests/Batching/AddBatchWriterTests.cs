using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary><c>AddBatchWriter&lt;T&gt;</c> wires the writer into a host: checked at start, drained at stop.</summary>
public sealed class AddBatchWriterTests(TestServers servers)
{
    [Fact]
    public async Task The_host_starts_the_writer_and_stopping_it_commits_queued_rows()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        var sink = new RecordingSink<OrderEvent>();
        using var host = BuildHost(schema, sink);
        var token = TestContext.Current.CancellationToken;

        await host.StartAsync(token);
        var writer = host.Services.GetRequiredService<IBatchWriter<OrderEvent>>();
        Assert.Same(writer, host.Services.GetRequiredService<BatchWriter<OrderEvent>>());
        var writes = Enumerable.Range(1, 500).Select(i => writer.WriteAsync(i == 7 ? OrderEvent.Good(i) with { Quantity = -7 } : OrderEvent.Good(i), token)).ToList();
        await host.StopAsync(token);

        Assert.Equal((499, 499), await OrderEvent.CountAsync(schema));
        Assert.Equal(7, Assert.Single(sink.Rejected).Row.Id);
        await Assert.ThrowsAsync<RowRejectedException>(() => writes[6]);
    }

    [Fact]
    public async Task A_map_that_does_not_fit_fails_host_start()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE order_event (id bigint PRIMARY KEY)");
        using var host = BuildHost(schema, new RecordingSink<OrderEvent>());

        var error = await Assert.ThrowsAsync<TableMapMismatchException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("column 'quantity'", error.Message, StringComparison.Ordinal);
    }

    private IHost BuildHost(TestSchema schema, RecordingSink<OrderEvent> sink)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IRejectedRowSink<OrderEvent>>(sink);
        builder.Services.AddOrmPerf(o => o.ConnectionString = servers.Primary)
            .AddBatchWriter<OrderEvent>(
                map => map.Table("order_event", schema.Name)
                    .Column(e => e.Id).Column(e => e.Quantity).Column(e => e.Note)
                    .Column(e => e.Amount).Column(e => e.CreatedAt).Column(e => e.Paid),
                o => o.MaxDelay = TimeSpan.FromSeconds(30));
        return builder.Build();
    }
}
