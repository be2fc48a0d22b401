using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary><c>AddKeyedBatchWriter&lt;T&gt;</c>: several writers for one row type in one container, each on its own table.</summary>
public sealed class KeyedBatchWriterTests(TestServers servers)
{
    [Fact]
    public async Task Two_writers_for_the_same_row_type_write_to_their_own_tables()
    {
        await using var schema = await OrderEvent.CreateSchemaAsync(servers);
        await schema.ExecuteAsync(OrderEvent.CreateTable.Replace("order_event", "order_event_archive", StringComparison.Ordinal));
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddOrmPerf(o => o.ConnectionString = servers.Primary)
            .AddKeyedBatchWriter<OrderEvent>("live", map => Columns(map.Table("order_event", schema.Name)))
            .AddKeyedBatchWriter<OrderEvent>("archive", map => Columns(map.Table("order_event_archive", schema.Name)), o => o.MaxBatchSize = 10);
        using var host = builder.Build();
        var token = TestContext.Current.CancellationToken;
        await host.StartAsync(token);

        var live = host.Services.GetRequiredKeyedService<IBatchWriter<OrderEvent>>("live");
        var archive = host.Services.GetRequiredKeyedService<IBatchWriter<OrderEvent>>("archive");
        await Task.WhenAll(Enumerable.Range(1, 30).Select(i => live.WriteAsync(OrderEvent.Good(i), token)));
        await Task.WhenAll(Enumerable.Range(101, 5).Select(i => archive.WriteAsync(OrderEvent.Good(i), token)));
        Assert.Equal(50, await archive.WriteManyAsync(Enumerable.Range(201, 50).Select(i => OrderEvent.Good(i)), cancellationToken: token));
        await host.StopAsync(token);

        await using var connection = new NpgsqlConnection(schema.Primary);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), await connection.QueryAsync<long>("SELECT id FROM order_event ORDER BY id"));
        Assert.Equal(
            Enumerable.Range(101, 5).Concat(Enumerable.Range(201, 50)).Select(i => (long)i),
            await connection.QueryAsync<long>("SELECT id FROM order_event_archive ORDER BY id"));
    }

    private static TableMapBuilder<OrderEvent> Columns(TableMapBuilder<OrderEvent> map) => map
        .Column(e => e.Id).Column(e => e.Quantity).Column(e => e.Note).Column(e => e.Amount).Column(e => e.CreatedAt).Column(e => e.Paid);
}
