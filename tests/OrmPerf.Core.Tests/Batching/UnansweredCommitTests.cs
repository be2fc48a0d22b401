using OrmPerf.Batching;

namespace OrmPerf.Core.Tests.Batching;

/// <summary>What a batch whose COMMIT got no answer became, from the status of its transaction id and the server's crash mark.</summary>
public sealed class UnansweredCommitTests
{
    private static readonly DateTime Before = new(2026, 12, 3, 8, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime AfterCrash = Before.AddMinutes(5);
    private readonly UnansweredCommit _commit = new(795, Before);

    [Fact]
    public void Committed_on_the_same_server_life_is_committed() => Assert.True(_commit.IsCommitted("committed", Before));

    [Theory]
    [InlineData("aborted")]
    [InlineData(null)]
    public void Aborted_or_unknown_is_not_committed_before_or_after_a_crash(string? status)
    {
        Assert.False(_commit.IsCommitted(status, Before));
        Assert.False(_commit.IsCommitted(status, AfterCrash));
    }

    [Fact]
    public void In_progress_on_the_same_server_life_is_in_doubt_and_asked_again()
    {
        var inDoubt = Assert.Throws<TransactionInDoubtException>(() => _commit.IsCommitted("in progress", Before));

        Assert.Equal(795, inDoubt.TransactionId);
        Assert.True(TransientErrors.IsTransient(inDoubt));
    }

    [Fact]
    public void In_progress_after_a_crash_is_another_transaction_under_the_same_id_so_this_one_never_committed() =>
        Assert.False(_commit.IsCommitted("in progress", AfterCrash));

    [Fact]
    public void Committed_after_a_crash_may_be_another_transaction_under_the_same_id_so_the_batch_is_given_up_in_doubt_at_once()
    {
        var inDoubt = Assert.Throws<TransactionInDoubtException>(() => _commit.IsCommitted("committed", AfterCrash));

        Assert.Equal(795, inDoubt.TransactionId);
        Assert.Contains("crash", inDoubt.Message, StringComparison.Ordinal);
        Assert.False(TransientErrors.IsTransient(inDoubt));
    }

    [Fact]
    public void After_a_crash_an_id_below_the_first_one_handed_out_after_recovery_is_this_transactions_own_so_its_status_holds()
    {
        Assert.True(_commit.IsCommitted("committed", AfterCrash, firstIdAfterRecovery: 800));
        Assert.False(_commit.IsCommitted("aborted", AfterCrash, firstIdAfterRecovery: 800));
    }

    [Theory]
    [InlineData(795)]
    [InlineData(790)]
    public void After_a_crash_an_id_at_or_above_the_first_one_handed_out_after_recovery_never_reached_the_disk_so_it_did_not_commit(long firstIdAfterRecovery) =>
        Assert.False(_commit.IsCommitted("committed", AfterCrash, firstIdAfterRecovery));

    [Fact]
    public void Without_a_crash_the_first_id_after_a_recovery_plays_no_part() =>
        Assert.True(_commit.IsCommitted("committed", Before, firstIdAfterRecovery: 700));

    [Fact]
    public void A_crash_mark_appearing_where_there_was_none_counts_as_a_crash() =>
        Assert.Throws<TransactionInDoubtException>(() => new UnansweredCommit(795, null).IsCommitted("committed", Before));
}
