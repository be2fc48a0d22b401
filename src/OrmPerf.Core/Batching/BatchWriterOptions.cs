namespace OrmPerf.Batching;

/// <summary>
/// Settings of one batch writer: named options (the writer's options name, see <c>AddBatchWriter</c> and
/// <c>AddKeyedBatchWriter</c>), bindable from configuration and validated when the host starts.
/// </summary>
public sealed class BatchWriterOptions
{
    /// <summary>
    /// The most rows one batch (one transaction) of <see cref="IBatchWriter{T}.WriteAsync"/> holds. Default 50,000:
    /// a batch is only that big when producers outrun the server, and then each batch's fixed cost is what limits
    /// throughput: besides the commit's WAL flush, each COPY statement costs the server about 1.5-2 ms on top of its rows
    /// (PostgreSQL 15, binary COPY of pgbench_accounts rows on a quiet server: 1,000 rows took 2.2 ms, 6,000 rows 4.7 ms,
    /// 50,000 rows 26 ms). With 10,000, 64 producers keeping 1,000 writes in flight each formed batches of about 6,000
    /// rows, a third of whose server time was that fixed cost. A quiet writer still commits each row as it comes, and
    /// awaiting requests never queue enough rows for the limit to matter.
    /// </summary>
    public int MaxBatchSize { get; set; } = 50_000;

    /// <summary>
    /// The rows per batch (one transaction) of <see cref="IBatchWriter{T}.WriteManyAsync(IEnumerable{T}, IProgress{BatchProgress}?, CancellationToken)"/>.
    /// Default 200,000: an import is throughput-bound and each commit waits for a WAL flush (at 1,000 rows per batch
    /// the commits cost more than the COPY itself; at 50,000 an import of 1M rows still ran at 0.85x one raw COPY, at
    /// 200,000 at about 0.94x). Smaller batches retry and bisect bad rows more cheaply: a transient failure resends up
    /// to one batch, and isolating a bad row resends about twice its batch.
    /// </summary>
    public int ImportBatchSize { get; set; } = 200_000;

    /// <summary>
    /// How many batches of one
    /// <see cref="IBatchWriter{T}.WriteManyAsync(IEnumerable{T}, IProgress{BatchProgress}?, CancellationToken)"/> import
    /// may be written at once, each as its own COPY in its own transaction on its own pooled connection, while the next
    /// batch is read from the source. Default 1: batches are written one after another, in source order, so the rows
    /// committed at any moment are a prefix of the source (and the progress reported is where a retry resumes).
    /// Above 1 (<see cref="WriteMode.Insert"/> only: upserts keep their order), the import uses more of the server's
    /// cores, but batches commit in any order: after a failure or a cancellation the committed rows need not be a
    /// prefix, so resume by what is stored (the rows of every batch reported through progress are committed, those of
    /// a batch not reported are not). The import is one transaction per batch either way, never one for all its rows.
    /// </summary>
    public int ImportParallelism { get; set; } = 1;

    /// <summary>
    /// An optional linger: how long a started batch waits for more rows before it is written. Default zero (off): a row
    /// that reaches an idle writer is committed at once, and the rows that arrive while commits are in flight form the
    /// next batch (natural group commit, as PostgreSQL's own), so batches grow with the load and a lone row never waits
    /// for a timer. Set it only to trade each row's latency for bigger batches (fewer, larger transactions) under a
    /// light, steady load. At most one hour.
    /// </summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How many rows <see cref="IBatchWriter{T}.WriteAsync"/> may queue before producers wait. Default 20,000, room for
    /// the next full batches while earlier ones are being written. Beyond it, each further row waits (in arrival
    /// order) with its caller until a batch is taken.
    /// </summary>
    public int QueueCapacity { get; set; } = 20_000;

    /// <summary>
    /// How many <see cref="IBatchWriter{T}.WriteAsync"/> batches may be committing at once, each in its own transaction
    /// on its own pooled connection. While one batch waits for its COPY and its commit's WAL flush, the loop takes the
    /// next one from the queue instead of leaving producers blocked on a full queue; it does so only once a full batch
    /// or 1,000 rows (whichever is fewer) are waiting, because a few rows more do not pay for a second transaction's
    /// fixed cost (measured with 64 concurrent awaiting requests on 2 cores: a second batch of a handful of rows cost
    /// about twice the client CPU per row and halved the rows/s), and they ride the next commit. Each producer's task still
    /// completes only when its own batch has committed. Default null: 2 for <see cref="WriteMode.Insert"/>, 1 for
    /// <see cref="WriteMode.Upsert"/> and <see cref="WriteMode.InsertOrIgnore"/>, because two batches in flight that
    /// carry the same key may commit in either order, so an older version of a row could overwrite a newer one (or
    /// the other row be the one kept). Set it above 1 in those modes only when no two rows written within a few
    /// batches of each other share a key, or their order does not matter. In Insert mode, two concurrent batches that
    /// carry the same unique key make one of them fail on it, so one of the two rows is rejected as before, whichever
    /// committed second.
    /// </summary>
    public int? MaxConcurrentBatches { get; set; }

    /// <summary>Insert, upsert or insert-or-ignore. Default <see cref="WriteMode.Insert"/>.</summary>
    public WriteMode Mode { get; set; } = WriteMode.Insert;

    /// <summary>
    /// Batches of at most this many rows are written with one <c>INSERT … SELECT FROM unnest(…)</c> statement instead
    /// of COPY, which costs more round trips (and, for upserts, a temporary table). 0 always uses COPY. Default 64: the
    /// batches that concurrent awaiting requests form are mostly that small, and two round trips (the INSERT, the
    /// commit) instead of COPY's four are then most of what a batch costs.
    /// </summary>
    public int SmallBatchInsertLimit { get; set; } = 64;

    /// <summary>
    /// How many times a batch may be retried after a transient error, within <see cref="RetryTimeout"/>. Default null:
    /// no limit but the time budget. 0 turns retries off.
    /// </summary>
    public int? MaxRetryAttempts { get; set; }

    /// <summary>
    /// The time budget of a batch's retries: no retry is scheduled once this long has passed since the batch's first
    /// attempt (one scheduled just before still runs after its delay, at most <see cref="RetryMaxDelay"/>). Default
    /// 60 s, long enough for a typical crash recovery or failover; what a user means by "keep trying through a
    /// restart". A retry never duplicates rows, however many there are. At most one day.
    /// </summary>
    public TimeSpan RetryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter. Default 100 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between two retries. Default 5 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long stopping or disposing the writer waits for the rows it accepted to be committed. Default 30 s. When it
    /// has passed (or the host's own shutdown token fired first), the writer abandons retries and the rows still queued
    /// fault; it then waits at most this long again for the batches in flight to end, and returns either way: shutdown
    /// never waits without bound.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><see cref="MaxConcurrentBatches"/>, or its default for <see cref="Mode"/>.</summary>
    internal int ConcurrentBatches => MaxConcurrentBatches ?? (Mode == WriteMode.Insert ? 2 : 1);
}
