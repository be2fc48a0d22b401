using System.Collections.Concurrent;
using Npgsql;
using OrmPerf.Batching;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>A dead-letter sink that keeps what it receives, for assertions.</summary>
public sealed class RecordingSink<T> : IRejectedRowSink<T>
{
    public ConcurrentQueue<(T Row, PostgresException Error)> Rejected { get; } = new();

    public ConcurrentQueue<(T? Row, long? ImportIndex, ArgumentException Error)> Unwritable { get; } = new();

    public ValueTask OnRejectedAsync(T row, PostgresException error, CancellationToken cancellationToken)
    {
        Rejected.Enqueue((row, error));
        return default;
    }

    public ValueTask OnUnwritableAsync(T? row, long? importIndex, ArgumentException error, CancellationToken cancellationToken)
    {
        Unwritable.Enqueue((row, importIndex, error));
        return default;
    }
}
