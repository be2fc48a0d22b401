using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace OrmPerf.IntegrationTests.Redis;

/// <summary>The thread pool's worker-count adjustments and their reasons (starvation: a queued item waited past its limit).</summary>
internal sealed class PoolAdjustments : EventListener
{
    private readonly ConcurrentQueue<(DateTime At, uint NewCount, string Reason)> _adjustments = new();

    public IReadOnlyList<(DateTime At, uint NewCount, string Reason)> All => _adjustments.ToArray();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Informational, (EventKeywords)0x10000); // ThreadingKeyword
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName == "ThreadPoolWorkerThreadAdjustmentAdjustment" && e.Payload is { Count: >= 3 } payload)
        {
            var reason = Convert.ToUInt32(payload[2]) switch
            {
                0 => "warmup", 1 => "initializing", 2 => "random_move", 3 => "climbing_move", 4 => "change_point",
                5 => "stabilizing", 6 => "starvation", 7 => "thread_timed_out", 8 => "cooperative_blocking", var other => other.ToString(),
            };
            _adjustments.Enqueue((e.TimeStamp, Convert.ToUInt32(payload[1]), reason));
        }
    }
}
