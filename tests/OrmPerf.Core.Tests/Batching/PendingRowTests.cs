using NpgsqlTypes;
using OrmPerf.Batching;
using OrmPerf.Consistency;

namespace OrmPerf.Core.Tests.Batching;

/// <summary>A committed batch tells each scope of its rows about the commit before their tasks complete, once per run of them.</summary>
public sealed class PendingRowTests
{
    private static readonly NpgsqlLogSequenceNumber Position = new(0x16B3748);

    [Fact]
    public void A_run_of_rows_of_one_scope_tells_it_once_and_before_their_tasks_complete()
    {
        var first = new RecordingScope();
        var second = new RecordingScope();
        var rows = new PendingRow<int>[]
        {
            new TrackedPendingRow<int>(1, first), new TrackedPendingRow<int>(2, first), new PendingRow<int>(3),
            new TrackedPendingRow<int>(4, first), new TrackedPendingRow<int>(5, second), new TrackedPendingRow<int>(6, null),
        };
        first.Watch(rows[0].Task);

        IWriteReporter? reported = null;
        foreach (var row in rows)
        {
            row.Committed(Position, ref reported);
        }

        Assert.Equal([Position], first.Recorded); // the row without a scope between them does not break the run
        Assert.Equal([Position], second.Recorded);
        Assert.False(first.TaskWasCompletedWhenTold);
        Assert.All(rows, row => Assert.True(row.Task.IsCompletedSuccessfully));
    }

    [Fact]
    public void A_rejected_row_does_not_tell_its_scope_and_a_reporter_that_throws_faults_only_its_rows()
    {
        var scope = new RecordingScope();
        var rejected = new TrackedPendingRow<int>(1, scope);
        rejected.TrySetException(new InvalidOperationException("refused"));
        var throwing = new RecordingScope { Throws = true };
        var faulted = new TrackedPendingRow<int>(2, throwing);
        var other = new TrackedPendingRow<int>(3, scope);

        IWriteReporter? reported = null;
        rejected.Committed(Position, ref reported);
        Assert.Empty(scope.Recorded);
        faulted.Committed(Position, ref reported);
        other.Committed(Position, ref reported);

        Assert.IsType<InvalidOperationException>(faulted.Task.Exception!.InnerException);
        Assert.True(other.Task.IsCompletedSuccessfully);
        Assert.Equal([Position], scope.Recorded);
    }

    private sealed class RecordingScope : IWriteReporter
    {
        private Task? _watched;

        public List<NpgsqlLogSequenceNumber> Recorded { get; } = [];

        public bool Throws { get; init; }

        public bool TaskWasCompletedWhenTold { get; private set; }

        public void Watch(Task task) => _watched = task;

        public void RecordWrite(NpgsqlLogSequenceNumber commitPosition)
        {
            if (Throws)
            {
                throw new InvalidOperationException("reporter failed");
            }

            TaskWasCompletedWhenTold |= _watched?.IsCompleted == true;
            Recorded.Add(commitPosition);
        }

        public ValueTask ReportAsync(IReadOnlyList<string> tables, NpgsqlLogSequenceNumber commitPosition, CancellationToken cancellationToken) =>
            throw new NotSupportedException("the batch writer only records writes");
    }
}
