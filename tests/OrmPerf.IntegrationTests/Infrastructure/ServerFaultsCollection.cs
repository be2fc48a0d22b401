namespace OrmPerf.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that stop, pause or restart a shared server. xunit runs this collection on its own, after the parallel
/// ones, so no other test sees the fault. Such a test restores the server in a <c>finally</c>.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerFaultsCollection
{
    public const string Name = "Server faults";
}
