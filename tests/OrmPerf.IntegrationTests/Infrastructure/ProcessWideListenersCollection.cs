namespace OrmPerf.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that attach a process-wide listener (an <c>ActivityListener</c> on OrmPerf's sources). xunit runs this
/// collection on its own, so the listener neither sees other tests' work nor turns on tracing under tests that count
/// allocations (RouterOpenOverheadTests).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideListenersCollection
{
    public const string Name = "Process-wide listeners";
}
