namespace OrmPerf.Core.Tests.Caching;

/// <summary>
/// Tests that listen to the query cache's instruments, and the test that counts a hit's allocations (a listener on
/// another thread's test would allocate on this one): they must not run at the same time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class QueryCacheMeasurementCollection
{
    public const string Name = "Query cache measurements";
}
