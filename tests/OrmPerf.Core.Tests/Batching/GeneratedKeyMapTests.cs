using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using OrmPerf.Batching;

namespace OrmPerf.Core.Tests.Batching;

public sealed class GeneratedKeyMapTests
{
    private sealed class Ticket
    {
        public long Id { get; set; }

        public int Seat { get; init; }

        public string Title { get; set; } = "";
    }

    private sealed record Receipt(int Number, string Text);

    private readonly record struct Point(long Id, int X);

    private sealed class Counter
    {
        public readonly long Fixed = 1;

        public ulong Unsigned { get; set; }

        public long Computed => 1;
    }

    [Fact]
    public void A_generated_key_is_mapped_as_a_column_and_set_on_rows_whose_key_is_zero()
    {
        var map = new TableMapBuilder<Ticket>().Table("tickets").GeneratedKey(t => t.Id).Column(t => t.Title).Build();
        var key = map.GeneratedKey!;
        var ticket = new Ticket();

        Assert.Equal("id", map.GeneratedKeyColumn);
        Assert.Equal(("id", NpgsqlDbType.Bigint), (map.Columns[0].Name, map.Columns[0].DbType));
        Assert.True(key.IsUnset(ticket));
        key.Assign(ticket, 42);
        Assert.Equal(42, ticket.Id);
        Assert.False(key.IsUnset(ticket));
    }

    [Fact]
    public void An_init_only_property_of_a_record_takes_the_key_and_a_value_out_of_its_range_overflows()
    {
        var map = new TableMapBuilder<Receipt>().Table("receipts").GeneratedKey(r => r.Number, "receipt_no").Column(r => r.Text).Build();
        var receipt = new Receipt(0, "x");

        map.GeneratedKey!.Assign(receipt, 7);

        Assert.Equal(7, receipt.Number);
        Assert.Equal(("receipt_no", NpgsqlDbType.Integer), (map.Columns[0].Name, map.Columns[0].DbType));
        Assert.Throws<OverflowException>(() => map.GeneratedKey.Assign(receipt, int.MaxValue + 1L));
    }

    [Fact]
    public void A_value_type_row_is_refused_because_its_key_would_be_set_on_a_copy()
    {
        var error = Assert.Throws<ArgumentException>(() => new TableMapBuilder<Point>().GeneratedKey(p => p.Id));

        Assert.Contains("Point is a value type", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Members_that_cannot_hold_a_generated_key_are_refused_naming_the_member()
    {
        var readOnlyField = Assert.Throws<ArgumentException>(() => new TableMapBuilder<Counter>().GeneratedKey(c => c.Fixed));
        var getterOnly = Assert.Throws<ArgumentException>(() => new TableMapBuilder<Counter>().GeneratedKey(c => c.Computed));
        var unsigned = Assert.Throws<ArgumentException>(() => new TableMapBuilder<Counter>().GeneratedKey(c => c.Unsigned));

        Assert.Contains("c.Fixed", readOnlyField.Message, StringComparison.Ordinal);
        Assert.Contains("c.Computed", getterOnly.Message, StringComparison.Ordinal);
        Assert.Contains("UInt64", unsigned.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_generated_key_or_one_mapped_as_a_column_already_is_refused()
    {
        var twice = Assert.Throws<ArgumentException>(() => new TableMapBuilder<Ticket>().GeneratedKey(t => t.Id).GeneratedKey(t => t.Seat));
        var asColumn = Assert.Throws<ArgumentException>(() => new TableMapBuilder<Ticket>().Column(t => t.Id).GeneratedKey(t => t.Id));

        Assert.Contains("'id' already", twice.Message, StringComparison.Ordinal);
        Assert.Contains("'id' is mapped twice", asColumn.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(WriteMode.Upsert)]
    [InlineData(WriteMode.InsertOrIgnore)]
    public void An_upsert_keyed_on_its_generated_key_is_refused_when_resolved_and_when_constructed(WriteMode mode)
    {
        var builder = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1");
        builder.AddBatchWriter<Ticket>(map => map.Table("tickets").GeneratedKey(t => t.Id).Column(t => t.Title).Key("id"), o => o.Mode = mode);
        using var provider = builder.Services.BuildServiceProvider();
        var whenAdded = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IBatchWriter<Ticket>>());
        using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1");
        var map = new TableMapBuilder<Ticket>().Table("tickets").GeneratedKey(t => t.Id).Column(t => t.Title).Key("id").Build();
        var whenConstructed = Assert.Throws<ArgumentException>(() => new BatchWriter<Ticket>(dataSource, map, new BatchWriterOptions { Mode = mode }));

        var failure = Assert.Single(whenAdded.Failures);
        Assert.Contains($"Mode is {mode}", failure, StringComparison.Ordinal);
        Assert.Contains("keys its upserts on its generated key 'id'", failure, StringComparison.Ordinal);
        Assert.Contains("natural key", whenConstructed.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(WriteMode.Upsert)]
    [InlineData(WriteMode.InsertOrIgnore)]
    public async Task An_upsert_keyed_on_a_natural_key_may_report_generated_keys(WriteMode mode)
    {
        using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1");
        var map = new TableMapBuilder<Ticket>().Table("tickets").GeneratedKey(t => t.Id).Column(t => t.Title).Key("title").Build();

        await using var writer = new BatchWriter<Ticket>(dataSource, map, new BatchWriterOptions { Mode = mode });

        Assert.Equal("id", writer.Map.GeneratedKeyColumn);
    }
}
