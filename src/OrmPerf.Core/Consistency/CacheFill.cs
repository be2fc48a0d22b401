using NpgsqlTypes;

namespace OrmPerf.Consistency;

/// <summary>
/// Service provider interface for a package that routes reads (OrmPerf.Routing uses it; applications do not): a cache
/// fill in progress, visible to the connections its factory opens (an <see cref="AsyncLocal{T}"/>): the
/// position the fill must read at or after (<see cref="Demand"/>), which the router honours when it picks a server, and
/// the position the data was read at (<see cref="ReadAt"/>), which the router reports from what it knows of the server
/// it picked (a replica's probed replay position, a lower bound of its snapshot; for the primary, the demand or the
/// latest position it has seen). No round trip is added: the stamp comes from the router's knowledge. Set only when
/// replicas are configured, so a cache without them pays nothing.
/// </summary>
/// <remarks>
/// Contract for the router: when <see cref="Current"/> is set, a read it opens must be at or after <see cref="Demand"/>
/// (a replica that has replayed it, else the primary), and it calls <see cref="Report"/> once per opened connection with
/// a position the connection's data is known to be at or after. Thread-safe.
/// </remarks>
public sealed class CacheFill
{
    private static readonly AsyncLocal<CacheFill?> Ambient = new();
    private readonly object _gate = new();
    private NpgsqlLogSequenceNumber _readAt;
    private bool _reported;

    private CacheFill(NpgsqlLogSequenceNumber demand) => Demand = demand;

    /// <summary>The fill running in this async flow, if any.</summary>
    public static CacheFill? Current => Ambient.Value;

    /// <summary>The position the data must reflect: the newest invalidation of the entry's tags, or the caller's token.</summary>
    public NpgsqlLogSequenceNumber Demand { get; }

    /// <summary>The lowest position among the reads the factory made; <see langword="null"/> when none was routed.</summary>
    internal NpgsqlLogSequenceNumber? ReadAt
    {
        get
        {
            lock (_gate)
            {
                return _reported ? _readAt : null;
            }
        }
    }

    /// <summary>Makes a fill current for the rest of this async flow (the factory's), returning it.</summary>
    internal static CacheFill Begin(NpgsqlLogSequenceNumber demand)
    {
        var fill = new CacheFill(demand);
        Ambient.Value = fill;
        return fill;
    }

    /// <summary>Reported by the router for each connection the factory opens: the oldest read counts.</summary>
    /// <param name="readAt">A position the opened connection's data is at or after.</param>
    public void Report(NpgsqlLogSequenceNumber readAt)
    {
        lock (_gate)
        {
            _readAt = _reported && _readAt < readAt ? _readAt : readAt;
            _reported = true;
        }
    }
}
