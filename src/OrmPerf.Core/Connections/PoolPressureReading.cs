namespace OrmPerf.Connections;

/// <summary>What one pool went through while <see cref="PoolPressureListener"/> listened.</summary>
internal sealed record PoolPressureReading(
    string Name, string Role, int MaxPoolSize, long AcquireWaits, int PeakPendingRequests, int PendingRequests, long Timeouts, TimeSpan ExhaustedFor, TimeSpan ObservedFor);
