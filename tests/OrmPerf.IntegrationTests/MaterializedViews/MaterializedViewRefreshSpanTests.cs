using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using OrmPerf.Diagnostics;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.MaterializedViews;

namespace OrmPerf.IntegrationTests.MaterializedViews;

/// <summary>Each refresh is one <c>ormperf.view.refresh</c> span, tagged with the view and its outcome.</summary>
public sealed class MaterializedViewRefreshSpanTests(TestServers servers)
{
    [Fact]
    public async Task A_refresh_and_a_failed_refresh_each_record_one_span()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE orders (product_id int NOT NULL, quantity int NOT NULL)");
        await using var dataSource = NpgsqlDataSource.Create(schema.Primary);
        var views = new PostgresMaterializedViews(dataSource, TimeProvider.System);
        await views.EnsureCreatedAsync("span_summary", "SELECT product_id, sum(quantity) AS quantity FROM orders GROUP BY product_id", [], cancellation);
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == OrmPerfDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == OrmPerfDiagnostics.ViewRefreshSpan && ((string?)activity.GetTagItem(OrmPerfDiagnostics.DbCollectionNameTag))?.StartsWith(schema.Name, StringComparison.Ordinal) == true)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await views.RefreshAsync("span_summary", cancellation);
        // A view whose query raises: its refresh fails in PostgreSQL.
        await schema.ExecuteAsync("CREATE FUNCTION fail() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refresh fails'; END $$; CREATE MATERIALIZED VIEW span_broken AS SELECT fail() AS x WITH NO DATA");
        await Assert.ThrowsAsync<PostgresException>(() => views.RefreshAsync("span_broken", cancellation));

        Assert.Equal(2, spans.Count);
        var refreshed = spans.Single(s => (string?)s.GetTagItem(OrmPerfDiagnostics.DbCollectionNameTag) == $"{schema.Name}.span_summary");
        Assert.Equal(OrmPerfDiagnostics.DbSystemNamePostgreSql, refreshed.GetTagItem(OrmPerfDiagnostics.DbSystemNameTag));
        Assert.Equal("plain", refreshed.GetTagItem(OrmPerfDiagnostics.OutcomeTag));
        Assert.Equal(ActivityStatusCode.Unset, refreshed.Status);
        var failed = spans.Single(s => (string?)s.GetTagItem(OrmPerfDiagnostics.DbCollectionNameTag) == $"{schema.Name}.span_broken");
        Assert.Equal("failed", failed.GetTagItem(OrmPerfDiagnostics.OutcomeTag));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal(nameof(PostgresException), failed.StatusDescription);
        Assert.Equal(typeof(PostgresException).FullName, failed.GetTagItem(OrmPerfDiagnostics.ErrorTypeTag));
    }
}
