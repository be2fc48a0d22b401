using System.Data.Common;
using Npgsql;
using OrmPerf.Routing.Consistency;

namespace OrmPerf.Routing;

/// <summary>
/// Opens connections on the primary or on a replica, by the caller's <see cref="Intent"/>. Registered per DI scope
/// (one per web request), so the scope remembers its own writes and later reads in it see them (read-your-writes).
/// </summary>
/// <remarks>
/// <para>Routing follows the caller's intent: <see cref="Intent.Write"/> always opens on the primary; <see cref="Intent.Read"/>
/// opens on a healthy replica within the lag limits, else on the primary. Reads go to the primary as well inside an
/// ambient <see cref="System.Transactions.Transaction"/>, when they must see a write of this scope (or a token passed in)
/// that no replica has replayed yet, and, for <see cref="QueryAsync{T}"/>, when the SQL locks rows or writes
/// (<c>FOR UPDATE/SHARE</c>, data-modifying CTEs; see the package README for what the check covers).</para>
/// <para>Thread-safe: one scope's router may be used by concurrent tasks.</para>
/// </remarks>
public interface IConnectionRouter
{
    /// <summary>Opens a connection for <paramref name="intent"/>, honouring the scope's consistency token.</summary>
    /// <returns>An open connection the caller disposes. A connection that fails to open is disposed before the error surfaces.</returns>
    /// <exception cref="NoReplicaAvailableException">A read found no qualifying replica and the options say to fail.</exception>
    ValueTask<NpgsqlConnection> OpenConnectionAsync(Intent intent, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a connection for <paramref name="intent"/> that also honours <paramref name="consistency"/>, a token from
    /// another scope or request (for example parsed from a cookie with <see cref="ConsistencyToken.Parse"/>).
    /// </summary>
    /// <inheritdoc cref="OpenConnectionAsync(Intent, CancellationToken)"/>
    ValueTask<NpgsqlConnection> OpenConnectionAsync(Intent intent, ConsistencyToken? consistency, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a query with Dapper and returns its rows. A read that fails because its replica went away is retried on the
    /// next candidate and finally on the primary, so the caller sees no error while the primary is up.
    /// </summary>
    /// <exception cref="NoReplicaAvailableException">A read found no qualifying replica and the options say to fail.</exception>
    Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null, Intent intent = Intent.Read, CancellationToken cancellationToken = default);

    /// <summary>Runs a command on the primary with Dapper and records the write in the scope's consistency token.</summary>
    /// <returns>The number of rows affected.</returns>
    Task<int> ExecuteAsync(string sql, object? parameters = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes every later read of this scope honour <paramref name="token"/> too, e.g. one a client sent back from an
    /// earlier request.
    /// </summary>
    void Require(ConsistencyToken token);

    /// <summary>
    /// Records that this scope wrote to the primary outside the router (another library's connection), so that its
    /// later reads and <see cref="GetConsistencyTokenAsync"/> honour that write as they would one made through
    /// <see cref="ExecuteAsync"/>. Call it once the write has committed. It opens nothing: the primary's WAL position is
    /// read once, when a read or the token first needs it. Not needed for: connections from <see cref="WriteDataSource"/>
    /// (noted by themselves; a <c>RowUpdate</c> on one also reports its commit position), and a batch writer's
    /// <c>WriteAsync</c>/<c>WriteManyAsync</c> awaited in the flow that resolved this router (the commit position flows
    /// back to this scope; with read replicas only, as read-your-writes needs nothing without them).
    /// </summary>
    void NoteWrite();

    /// <summary>
    /// The token of this scope's writes (and of tokens passed to <see cref="Require"/>), to hand to the client or to
    /// another scope; null when the scope has written nothing. After a write connection opened with
    /// <see cref="OpenConnectionAsync(Intent, CancellationToken)"/>, this reads the primary's WAL position once.
    /// </summary>
    ValueTask<ConsistencyToken?> GetConsistencyTokenAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// This scope's reads as a <see cref="DbDataSource"/> (the idea of Npgsql's <c>WithTargetSession</c>), for every API
    /// that takes a data source: <c>QueryCachedAsync</c>, Dapper over <c>OpenConnectionAsync</c>, your own code. Each
    /// <c>OpenConnection(Async)</c> is routed as <see cref="OpenConnectionAsync(Intent, CancellationToken)"/> with
    /// <see cref="Intent.Read"/>, and the query cache honours the scope's consistency token through it.
    /// </summary>
    /// <remarks>
    /// Only opening routes: <c>CreateConnection</c> returns an unopened connection to the primary, as nothing is known
    /// of the read yet. Disposing the view does nothing (it owns no connections); it lives as long as the scope.
    /// </remarks>
    DbDataSource ReadDataSource { get; }

    /// <summary>
    /// This scope's writes as a <see cref="DbDataSource"/>: every connection it opens is on the primary and noted as a
    /// write of the scope (as <see cref="OpenConnectionAsync(Intent, CancellationToken)"/> with <see cref="Intent.Write"/>),
    /// so later reads of the scope see what was written on it (<c>RowUpdate</c>, Dapper <c>ExecuteAsync</c>).
    /// </summary>
    /// <remarks><c>CreateConnection</c> returns an unopened connection to the primary that is not noted; open through the view.</remarks>
    DbDataSource WriteDataSource { get; }
}
