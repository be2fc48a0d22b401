using System.Data.Common;
using NpgsqlTypes;
using OrmPerf.Consistency;

namespace OrmPerf.Routing;

/// <summary>
/// A scope's router seen as a <see cref="DbDataSource"/> for one <see cref="Intent"/>: opening routes (and, for writes,
/// notes the write); the query cache reads the scope's consistency demand through <see cref="IReadRequirement"/>.
/// Owns nothing. Thread-safe as the router is.
/// </summary>
internal sealed class RoutedDataSource(ConnectionRouter router, Intent intent) : DbDataSource, IReadRequirement
{
    public override string ConnectionString => router.PrimaryConnectionString;

    public ValueTask<NpgsqlLogSequenceNumber> RequiredPositionAsync(CancellationToken cancellationToken) => router.RequiredPositionAsync(cancellationToken);

    // Nothing is known of the read or write yet: an unopened connection to the primary (DbDataSource's contract).
    protected override DbConnection CreateDbConnection() => router.CreatePrimaryConnection();

    protected override async ValueTask<DbConnection> OpenDbConnectionAsync(CancellationToken cancellationToken = default) =>
        await router.OpenConnectionAsync(intent, cancellationToken).ConfigureAwait(false);

    // DbDataSource's synchronous open: the router is asynchronous, so this blocks the calling thread on it.
    protected override DbConnection OpenDbConnection() => OpenDbConnectionAsync().AsTask().GetAwaiter().GetResult();

    // The view owns no connections and no pool: the router's data sources live with the container.
    protected override void Dispose(bool disposing)
    {
    }

    protected override ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;
}
