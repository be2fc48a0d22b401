namespace OrmPerf.Benchmarks.Batching;

/// <summary>How many rows one operation of the benchmark method writes, for <see cref="RowsPerSecondColumn"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RowsAttribute(int count) : Attribute
{
    public int Count { get; } = count;
}
