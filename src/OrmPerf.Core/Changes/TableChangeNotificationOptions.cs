namespace OrmPerf.Changes;

/// <summary>Where and how OrmPerf listens for writes reported with <c>NOTIFY</c> from outside the process.</summary>
public sealed class TableChangeNotificationOptions
{
    /// <summary>The default channel, <c>ormperf_table_changed</c>.</summary>
    public const string DefaultChannel = "ormperf_table_changed";

    /// <summary>
    /// The channel to <c>LISTEN</c> on (a plain identifier). Writers report with
    /// <c>NOTIFY ormperf_table_changed, 'schema.table'</c> (several tables separated by commas), for instance from a
    /// statement-level trigger; PostgreSQL delivers it when their transaction commits.
    /// </summary>
    public string Channel { get; set; } = DefaultChannel;

    /// <summary>
    /// A direct connection string to the primary for the one <c>LISTEN</c>ing connection, when the service's own
    /// connection string goes through a transaction pooler such as PgBouncer (<c>pool_mode = transaction</c>), which
    /// hands each transaction a different server session and so loses notifications. Null (the default): the primary
    /// data source. The listener refuses a connection that goes through a pooler (its backend process id is not the
    /// server's), failing with a message that names this setting.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long to wait before listening again after the connection fails. Must be positive; five seconds by default.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the listening connection may be silent before it is checked with a round trip, so a connection the
    /// server dropped is noticed. Must be positive; thirty seconds by default.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);
}
