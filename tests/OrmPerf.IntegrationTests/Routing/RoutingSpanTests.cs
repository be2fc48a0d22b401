using System.Collections.Concurrent;
using System.Diagnostics;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.Routing;
using OrmPerf.Routing.Diagnostics;

namespace OrmPerf.IntegrationTests.Routing;

/// <summary>Every routed open is an <c>ormperf.routing.open</c> span saying where it went and why.</summary>
[Collection(ProcessWideListenersCollection.Name)]
public sealed class RoutingSpanTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly TestServers _servers;
    private readonly ActivitySource _test = new($"{nameof(RoutingSpanTests)}.{Guid.NewGuid():N}");
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;

    public RoutingSpanTests(TestServers servers)
    {
        _servers = servers;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RoutingDiagnostics.ActivitySourceName || source == _test,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                if (span.OperationName == RoutingDiagnostics.OpenSpan)
                {
                    _spans.Enqueue(span);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task Reads_writes_and_primary_fallbacks_are_spans_with_target_intent_and_reason()
    {
        await using var host = await RoutingHost.StartAsync(_servers.Primary, o => o.Replicas.Add(new() { Name = "replica-span", ConnectionString = _servers.Replica }));
        await using var scope = host.NewScope();
        var router = scope.Router;
        await RoutingProbe.WaitUntilReadsLandOnReplicaAsync(router, onReplica: true, Deadline);
        var cancellation = TestContext.Current.CancellationToken;

        using (_test.StartActivity("test"))
        {
            await (await router.OpenConnectionAsync(Intent.Read, cancellation)).DisposeAsync();
            await (await router.OpenConnectionAsync(Intent.Write, cancellation)).DisposeAsync();
            await router.QueryAsync<int>("SELECT 1 FROM pg_class LIMIT 1 FOR SHARE", cancellationToken: cancellation);
        }

        var spans = Recorded();
        Assert.Equal(3, spans.Count);
        Assert.All(spans, span => Assert.Equal(RoutingDiagnostics.DbSystemName, span.GetTagItem(RoutingDiagnostics.DbSystemNameTag)));
        Assert.All(spans, span => Assert.Equal(ActivityStatusCode.Unset, span.Status));
        Assert.Equal(("read", "replica-span", null), Describe(spans[0]));
        Assert.Equal(("write", "primary", null), Describe(spans[1]));
        Assert.Equal(("read", "primary", "locking_or_writing_sql"), Describe(spans[2]));
    }

    [Fact]
    public async Task A_failed_open_is_an_error_span_with_the_exception_type_and_no_message()
    {
        await using var host = await RoutingHost.StartAsync(_servers.Primary, o =>
        {
            o.Replicas.Add(new() { Name = "replica-nowhere", ConnectionString = "Host=127.0.0.1;Port=1;Username=postgres;Timeout=2" });
            o.WhenNoReplicaQualifies = NoReplicaFallback.Fail;
        });
        await using var scope = host.NewScope();

        using (_test.StartActivity("test"))
        {
            await Assert.ThrowsAsync<NoReplicaAvailableException>(async () => await scope.Router.OpenConnectionAsync(Intent.Read, TestContext.Current.CancellationToken));
        }

        var span = Assert.Single(Recorded());
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(nameof(NoReplicaAvailableException), span.StatusDescription);
        Assert.Equal(typeof(NoReplicaAvailableException).FullName, span.GetTagItem(RoutingDiagnostics.ErrorTypeTag));
        Assert.NotNull(span.GetTagItem(RoutingDiagnostics.ReasonTag));
        Assert.Null(span.GetTagItem(RoutingDiagnostics.TargetTag));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _test.Dispose();
    }

    // Only this test's spans: other tests route in parallel under the same source.
    private List<Activity> Recorded() =>
        _spans.Where(span => span.Parent?.Source == _test).OrderBy(span => span.StartTimeUtc).ToList();

    private static (string?, string?, string?) Describe(Activity span) =>
        (span.GetTagItem(RoutingDiagnostics.IntentTag) as string, span.GetTagItem(RoutingDiagnostics.TargetTag) as string, span.GetTagItem(RoutingDiagnostics.ReasonTag) as string);
}
