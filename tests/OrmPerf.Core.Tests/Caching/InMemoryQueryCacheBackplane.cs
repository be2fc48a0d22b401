using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

/// <summary>A backplane delivering one node's messages to the other nodes of the same hub, synchronously.</summary>
internal sealed class InMemoryQueryCacheBackplane(List<InMemoryQueryCacheBackplane> hub) : IQueryCacheBackplane
{
    private IQueryCacheBackplaneReceiver? _receiver;

    public void Attach(IQueryCacheBackplaneReceiver receiver)
    {
        _receiver = receiver;
        hub.Add(this);
    }

    /// <summary>The limit a cut-off backplane reports; set it to simulate one.</summary>
    public TimeSpan? LocalFreshnessLimit { get; set; }

    /// <summary>Tells this node it was cut off from the hub, as a backplane does when it reconnects.</summary>
    public void Reconnect() => _receiver!.EvictAllLocal();

    public ValueTask PublishRemovalAsync(string key, CancellationToken cancellationToken)
    {
        foreach (var node in hub.Where(node => node != this))
        {
            node._receiver!.EvictLocal(key);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask PublishTagInvalidationAsync(IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        foreach (var node in hub.Where(node => node != this))
        {
            node._receiver!.InvalidateTagsLocal(tags);
        }

        return ValueTask.CompletedTask;
    }
}
