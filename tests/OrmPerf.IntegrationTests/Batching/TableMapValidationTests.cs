using Npgsql;
using NpgsqlTypes;
using OrmPerf.Batching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>A map that does not fit its table fails at start with a message naming table, column and types.</summary>
public sealed class TableMapValidationTests(TestServers servers)
{
    private sealed record Reading(long Id, string Sensor, double? Value);

    [Fact]
    public async Task A_fitting_map_starts_and_a_quoted_mixed_case_table_is_written()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync(""""CREATE TABLE "Sensor Readings" ("Id" bigint PRIMARY KEY, "sensor ""name""" varchar(20) NOT NULL, value float8)"""");
        var map = new TableMapBuilder<Reading>()
            .Table("Sensor Readings", schema.Name)
            .Column(r => r.Id, "Id")
            .Column(r => r.Sensor, "sensor \"name\"")
            .Column(r => r.Value)
            .Key("Id")
            .Build();
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<Reading>(dataSource, map, new BatchWriterOptions { Mode = WriteMode.Upsert });

        await writer.StartAsync(TestContext.Current.CancellationToken);
        var written = await writer.WriteManyAsync([new Reading(1, "a", 1.5), new Reading(2, "b", null)], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, written);
        await using var connection = new NpgsqlConnection(schema.Primary);
        await using var nulls = new NpgsqlCommand("SELECT count(*) FROM \"Sensor Readings\" WHERE value IS NULL", connection);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1L, await nulls.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Missing_column_wrong_type_and_unmapped_not_null_column_are_all_named()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE reading (id bigint PRIMARY KEY, sensor integer, taken_at timestamptz NOT NULL)");
        var map = new TableMapBuilder<Reading>().Table("reading", schema.Name)
            .Column(r => r.Id).Column(r => r.Sensor).Column(r => r.Value).Build();
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<Reading>(dataSource, map);

        var error = await Assert.ThrowsAsync<TableMapMismatchException>(() => writer.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal($"{schema.Name}.reading", error.Table);
        Assert.Contains(error.Problems, p => p.Contains("column 'value'", StringComparison.Ordinal) && p.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("column 'sensor'", StringComparison.Ordinal) && p.Contains("integer", StringComparison.Ordinal) && p.Contains("String", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("column 'taken_at'", StringComparison.Ordinal) && p.Contains("NOT NULL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_key_that_no_unique_index_covers_fails_an_upsert_writer()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE reading (id bigint PRIMARY KEY, sensor text, value float8)");
        var map = new TableMapBuilder<Reading>().Table("reading", schema.Name)
            .Column(r => r.Id).Column(r => r.Sensor).Column(r => r.Value, type: NpgsqlDbType.Double).Key("sensor").Build();
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<Reading>(dataSource, map, new BatchWriterOptions { Mode = WriteMode.Upsert });

        var error = await Assert.ThrowsAsync<TableMapMismatchException>(() => writer.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("key (sensor)", error.Message, StringComparison.Ordinal);
        Assert.Contains("(id)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_table_is_named()
    {
        await using var schema = await servers.CreateSchemaAsync();
        var map = new TableMapBuilder<Reading>().Table("nowhere", schema.Name).Column(r => r.Id).Build();
        await using var dataSource = NpgsqlDataSource.Create(servers.Primary);
        await using var writer = new BatchWriter<Reading>(dataSource, map);

        var error = await Assert.ThrowsAsync<TableMapMismatchException>(() => writer.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains($"table {schema.Name}.nowhere does not exist", error.Message, StringComparison.Ordinal);
    }
}
