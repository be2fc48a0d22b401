using NpgsqlTypes;

namespace OrmPerf.Routing.Probing;

/// <summary>
/// When the primary was first seen at each WAL position, so that a replica's lag is "how long ago the primary first
/// passed the replica's replay position". Unlike <c>now() - pg_last_xact_replay_timestamp()</c>, that does not jump to
/// the idle time when the first write after a quiet hour arrives, and it needs no clock agreement between servers.
/// Used by the single probe loop only: not thread-safe.
/// </summary>
internal sealed class PrimaryPositionHistory(TimeSpan retention)
{
    private readonly Queue<(DateTimeOffset SeenAt, NpgsqlLogSequenceNumber Position)> _samples = new();
    private NpgsqlLogSequenceNumber? _latest;

    /// <summary>Records the primary's position as read at <paramref name="now"/>.</summary>
    public void Record(DateTimeOffset now, NpgsqlLogSequenceNumber position)
    {
        if (_latest is { } latest && position <= latest)
        {
            return;
        }

        _latest = position;
        _samples.Enqueue((now, position));
        // Drop a sample only when the next one is past the retention too: the newest sample beyond it still says since
        // when the primary has been at its position, however long ago that was (a quiet hour is not lag).
        while (_samples.Count > 1 && now - _samples.ElementAt(1).SeenAt > retention)
        {
            _samples.Dequeue();
        }
    }

    /// <summary>
    /// How long the primary has been ahead of <paramref name="replayPosition"/>: zero when the replica has caught up
    /// with the latest position; otherwise the age of the oldest remembered position beyond it.
    /// </summary>
    /// <param name="replayPosition">The replica's replay position.</param>
    /// <param name="now">The time of the measurement.</param>
    /// <param name="sinceKnown">
    /// False when even the oldest remembered position is beyond the replica (just started, or behind for longer than
    /// the retention): the primary may have passed the replica earlier, so the result is only a lower bound.
    /// </param>
    public TimeSpan BehindFor(NpgsqlLogSequenceNumber replayPosition, DateTimeOffset now, out bool sinceKnown)
    {
        var index = 0;
        foreach (var (seenAt, position) in _samples)
        {
            if (position > replayPosition)
            {
                sinceKnown = index > 0;
                return now > seenAt ? now - seenAt : TimeSpan.Zero;
            }

            index++;
        }

        sinceKnown = true;
        return TimeSpan.Zero;
    }
}
