namespace OrmPerf.Batching;

/// <summary>
/// A transaction whose COMMIT was sent but not answered: its id (<c>txid_current()</c>) and the server's crash mark at
/// the time (<c>pg_stat_bgwriter.stats_reset</c>), both read in the transaction's first statement.
/// </summary>
/// <param name="TransactionId">The transaction's <c>xid8</c>.</param>
/// <param name="CrashMark">
/// When the server last reset its shared statistics: it does on every start after a crash or an immediate shutdown,
/// including a crash of one backend that the postmaster survives (which leaves <c>pg_postmaster_start_time()</c> as it
/// was), and keeps it across a clean restart. A reset by hand moves it too, which only makes the answer more cautious.
/// </param>
internal readonly record struct UnansweredCommit(long TransactionId, DateTime? CrashMark)
{
    /// <summary>The SQL that reads both, as one row, at the start of a batch's transaction.</summary>
    public const string Sql = "SELECT txid_current(), " + CrashMarkSql;

    /// <summary>The crash mark, as a column.</summary>
    public const string CrashMarkSql = "(SELECT stats_reset FROM pg_stat_bgwriter)";

    /// <summary>
    /// Asked after the COMMIT went unanswered (parameter <c>@id</c>): the id's status, the crash mark and, when the only
    /// checkpoint since the statistics were reset is the one that ended a crash recovery (the archiver's statistics
    /// reset at the same instant, as a crash does and a reset by hand does not, and nothing logged during it), the
    /// first transaction id handed out after that recovery.
    /// </summary>
    public const string StatusSql = """
        SELECT txid_status(@id), b.stats_reset,
               CASE WHEN b.checkpoints_timed + b.checkpoints_req = 1 AND a.stats_reset = b.stats_reset AND c.redo_lsn = c.checkpoint_lsn
                    THEN (split_part(c.next_xid, ':', 1)::bigint << 32) | split_part(c.next_xid, ':', 2)::bigint END
        FROM pg_stat_bgwriter b, pg_stat_archiver a, pg_control_checkpoint() c
        """;

    /// <summary>The same without the first id after recovery, for servers whose statistics views lack the checkpoint counts (PostgreSQL 17 moved them).</summary>
    public const string PlainStatusSql = "SELECT txid_status(@id), " + CrashMarkSql + ", NULL::bigint";

    /// <summary>
    /// Whether the transaction committed, from <c>txid_status</c> of its id asked later (null: too old to know, or the
    /// id is not assigned yet), the crash mark of the server answering and, after a crash, the first id handed out
    /// after its recovery when known. True and false are certain; a <see cref="TransactionInDoubtException"/> says it
    /// cannot be told yet, or, after a crash, at all.
    /// </summary>
    /// <remarks>
    /// PostgreSQL does not log the assignment of a transaction id: an id whose transaction had written nothing that
    /// reached the WAL on disk before a crash is handed out again after it. So once the server has recovered from a
    /// crash, "committed" may be another transaction's commit under the same id (seen: a batch of 6,250 rows reported
    /// written after a kill -9 of the primary, and absent), while "aborted", "in progress" (the session that ran it is
    /// gone) and an id not assigned yet all mean this transaction never committed. Recovery hands out ids from past
    /// every id it found on disk: an id below <paramref name="firstIdAfterRecovery"/> is this transaction's own, and its
    /// status can be trusted; an id at or above it never reached the disk, so this transaction did not commit.
    /// </remarks>
    public bool IsCommitted(string? status, DateTime? crashMark, long? firstIdAfterRecovery = null)
    {
        var crashed = crashMark != CrashMark;
        if (crashed && firstIdAfterRecovery is { } first)
        {
            if (TransactionId >= first)
            {
                return false;
            }

            crashed = false;
        }

        return status switch
        {
            "committed" when !crashed => true,
            "committed" => throw TransactionInDoubtException.AfterCrash(TransactionId),
            "in progress" when !crashed => throw new TransactionInDoubtException(TransactionId),
            _ => false,
        };
    }
}
