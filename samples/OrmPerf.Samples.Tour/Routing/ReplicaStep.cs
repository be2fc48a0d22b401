using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.Caching;
using OrmPerf.Routing;
using OrmPerf.Routing.Consistency;
using OrmPerf.Samples.Tour.Measurement;

namespace OrmPerf.Samples.Tour.Routing;

/// <summary>
/// Reads routed by IConnectionRouter: where they land, read-your-writes with a consistency token, and what happens
/// while the replica's replay is paused (it falls behind; past MaxReplicaLag the router stops sending reads there).
/// Each "request" is a new DI scope, as in a web application.
/// </summary>
internal sealed class ReplicaStep : ITourStep
{
    private const int Reads = 20;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public string Title => "Read replicas: routing, read-your-writes, paused replay";

    public async Task<IReadOnlyList<TourResult>> RunAsync(TourContext context, CancellationToken cancellationToken)
    {
        await using (var connection = await context.DataSource.OpenConnectionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL); CREATE TABLE churn (id serial PRIMARY KEY)",
                cancellationToken: cancellationToken));
        }

        if (context.Replica is not { } replica)
        {
            var onReplica = await CountReadsOnReplicaAsync(context, cancellationToken);
            return
            [
                new TourResult(
                    "replicas: where reads landed",
                    Figure.Count(0, $"of {Reads} reads on a replica"),
                    Figure.Count(onReplica, $"of {Reads} reads on a replica"),
                    "–",
                    "no replica given: the router sends every read to the primary"),
            ];
        }

        // The replica must have replayed the new tables, and the router's probes must have seen it healthy.
        await WaitUntilAsync(async ct => await ReadLandsOnReplicaAsync(context, token: null, ct), cancellationToken);
        var routed = await CountReadsOnReplicaAsync(context, cancellationToken);
        var results = new List<TourResult>
        {
            new(
                "replicas: where reads landed",
                Figure.Count(0, $"of {Reads} reads on the replica").With("(one data source)"),
                Figure.Count(routed, $"of {Reads} reads on the replica").With("(router)"),
                "primary offloaded",
                "each read in its own request scope"),
        };

        await using var replicaConnection = new NpgsqlConnection(replica);
        await replicaConnection.OpenAsync(cancellationToken);
        using var stopChurn = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task? churn = null;
        try
        {
            await replicaConnection.ExecuteAsync(new CommandDefinition("SELECT pg_wal_replay_pause()", cancellationToken: cancellationToken));
            results.Add(await ReadYourWritesAsync(context, cancellationToken));
            results.Add(await CachedReadAfterWriteAsync(context, cancellationToken));

            // A paused replica with no new WAL is not behind: writes make it fall behind, past the lag limit.
            var churnStarted = Stopwatch.GetTimestamp();
            churn = ChurnAsync(context, stopChurn.Token);
            await WaitUntilAsync(async ct => !await ReadLandsOnReplicaAsync(context, token: null, ct), cancellationToken);
            var excludedAfter = Stopwatch.GetElapsedTime(churnStarted);
            var behind = await CountChurnAsync(context.DataSource, cancellationToken) - await CountChurnAsync(replicaConnection, cancellationToken);
            results.Add(new TourResult(
                "replicas: replay paused",
                Figure.Count(behind, "writes behind").With("(reading the replica directly)"),
                new Figure(excludedAfter.TotalMilliseconds, "ms", $"excluded after {Figure.FormatDuration(excludedAfter)}, reads on the primary"),
                "no stale reads past the limit",
                "MaxReplicaLag 1 s; writes every 20 ms while paused"));
        }
        finally
        {
            await stopChurn.CancelAsync();
            if (churn is not null)
            {
                await churn;
            }

            // Whatever happened above, the replica must replay again.
            await replicaConnection.ExecuteAsync("SELECT pg_wal_replay_resume()");
        }

        await WaitUntilAsync(async ct => await ReadLandsOnReplicaAsync(context, token: null, ct), cancellationToken);
        return results;
    }

    /// <summary>
    /// A request writes a note and hands its consistency token to the client; the next request reads the note. Without
    /// the token the read goes to the (paused) replica and misses the write; with it, the router picks the primary.
    /// </summary>
    private static async Task<TourResult> ReadYourWritesAsync(TourContext context, CancellationToken cancellationToken)
    {
        string token;
        await using (var write = context.Services.CreateAsyncScope())
        {
            var router = write.ServiceProvider.GetRequiredService<IConnectionRouter>();
            await router.ExecuteAsync("INSERT INTO notes VALUES (1, 'my order note')", cancellationToken: cancellationToken);
            token = (await router.GetConsistencyTokenAsync(cancellationToken))!.Value.ToString();
        }

        var withoutToken = await ReadNoteAsync(context, token: null, cancellationToken);
        var withToken = await ReadNoteAsync(context, ConsistencyToken.Parse(token), cancellationToken);
        return new TourResult(
            "replicas: read-your-writes (replay paused)",
            new Figure(withoutToken.Seen ? 1 : 0, "writes seen", $"{(withoutToken.Seen ? "write seen" : "write missing")} (read on {withoutToken.Server})"),
            new Figure(withToken.Seen ? 1 : 0, "writes seen", $"{(withToken.Seen ? "write seen" : "write missing")} (read on {withToken.Server})"),
            "consistent",
            "the next request, without / with the write's consistency token");
    }

    /// <summary>
    /// A cached read right after a write and its invalidation, while the replica's replay is paused. A plain cache over
    /// the replica (one that knows nothing of WAL positions) refills from the replica and keeps the pre-write value for
    /// its whole lifetime; OrmPerf's cache demands the invalidation's position, so its fill reads the primary and keeps
    /// the new value. Both read through a request's routed read data source.
    /// </summary>
    private static async Task<TourResult> CachedReadAfterWriteAsync(TourContext context, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT coalesce((SELECT body FROM notes WHERE id = 1), '(no row)')";
        // A cache in a container without replicas: it knows nothing of WAL positions.
        await using var plainServices = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1").AddQueryCache().Services.BuildServiceProvider();
        var plain = plainServices.GetRequiredService<IQueryCache>();
        var consistent = context.Services.GetRequiredService<IQueryCache>();
        var before = await CachedNoteAsync(context, plain, Sql, cancellationToken);
        await CachedNoteAsync(context, consistent, Sql, cancellationToken);

        await using (var write = context.Services.CreateAsyncScope())
        {
            var router = write.ServiceProvider.GetRequiredService<IConnectionRouter>();
            await router.ExecuteAsync("INSERT INTO notes VALUES (1, 'edited') ON CONFLICT (id) DO UPDATE SET body = 'edited'", cancellationToken: cancellationToken);
        }

        await plain.InvalidateTablesAsync(["notes"], cancellationToken);
        await consistent.InvalidateTablesAsync(["notes"], cancellationToken);
        var plainRead = Stopwatch.GetTimestamp();
        var plainAfter = await CachedNoteAsync(context, plain, Sql, cancellationToken);
        var plainTime = Stopwatch.GetElapsedTime(plainRead);
        var consistentRead = Stopwatch.GetTimestamp();
        var consistentAfter = await CachedNoteAsync(context, consistent, Sql, cancellationToken);
        var consistentTime = Stopwatch.GetElapsedTime(consistentRead);
        // What each cache now serves for its lifetime.
        var plainKept = await CachedNoteAsync(context, plain, Sql, cancellationToken);
        var consistentKept = await CachedNoteAsync(context, consistent, Sql, cancellationToken);
        var plainSeen = plainAfter == "edited" && plainKept == "edited";
        var consistentSeen = consistentAfter == "edited" && consistentKept == "edited";
        return new TourResult(
            "replicas + cache: cached read after a write (replay paused)",
            new Figure(plainSeen ? 1 : 0, "writes seen", $"{(plainSeen ? "new value" : $"'{plainKept}' kept for the TTL")} ({Figure.FormatDuration(plainTime)} fill)"),
            new Figure(consistentSeen ? 1 : 0, "writes seen", $"{(consistentSeen ? "new value, kept" : $"'{consistentKept}'")} ({Figure.FormatDuration(consistentTime)} fill)"),
            "consistent",
            $"write + invalidation, then the next request's cached read; a plain cache over the replica vs OrmPerf's (before: '{before}')");
    }

    private static async Task<string> CachedNoteAsync(TourContext context, IQueryCache cache, string sql, CancellationToken cancellationToken)
    {
        await using var scope = context.Services.CreateAsyncScope();
        var router = scope.ServiceProvider.GetRequiredService<IConnectionRouter>();
        return (await router.ReadDataSource.QuerySingleOrDefaultCachedAsync<string>(cache, sql, cancellationToken: cancellationToken))!;
    }

    private static async Task<(bool Seen, string Server)> ReadNoteAsync(TourContext context, ConsistencyToken? token, CancellationToken cancellationToken)
    {
        await using var scope = context.Services.CreateAsyncScope();
        var router = scope.ServiceProvider.GetRequiredService<IConnectionRouter>();
        await using var connection = await router.OpenConnectionAsync(Intent.Read, token, cancellationToken);
        var row = await connection.QuerySingleAsync<(bool OnReplica, bool Seen)>(new CommandDefinition(
            "SELECT pg_is_in_recovery(), EXISTS (SELECT 1 FROM notes WHERE id = 1)", cancellationToken: cancellationToken));
        return (row.Seen, row.OnReplica ? "replica" : "primary");
    }

    private static async Task<long> CountReadsOnReplicaAsync(TourContext context, CancellationToken cancellationToken)
    {
        var onReplica = 0;
        for (var i = 0; i < Reads; i++)
        {
            onReplica += await ReadLandsOnReplicaAsync(context, token: null, cancellationToken) ? 1 : 0;
        }

        return onReplica;
    }

    private static async Task<bool> ReadLandsOnReplicaAsync(TourContext context, ConsistencyToken? token, CancellationToken cancellationToken)
    {
        await using var scope = context.Services.CreateAsyncScope();
        var router = scope.ServiceProvider.GetRequiredService<IConnectionRouter>();
        await using var connection = await router.OpenConnectionAsync(Intent.Read, token, cancellationToken);
        // to_regclass: the replica may not have replayed the tour's tables yet; then it does not count as ready.
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT pg_is_in_recovery() AND to_regclass('notes') IS NOT NULL", cancellationToken: cancellationToken));
    }

    private static async Task ChurnAsync(TourContext context, CancellationToken stop)
    {
        await using var connection = await context.DataSource.OpenConnectionAsync(CancellationToken.None);
        while (!stop.IsCancellationRequested)
        {
            await connection.ExecuteAsync("INSERT INTO churn DEFAULT VALUES");
            await Task.Delay(20, CancellationToken.None);
        }
    }

    private static async Task<long> CountChurnAsync(NpgsqlDataSource primary, CancellationToken cancellationToken)
    {
        await using var connection = await primary.OpenConnectionAsync(cancellationToken);
        return await CountChurnAsync(connection, cancellationToken);
    }

    private static Task<long> CountChurnAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM churn", cancellationToken: cancellationToken));

    private static async Task WaitUntilAsync(Func<CancellationToken, Task<bool>> condition, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition(cancellationToken))
        {
            if (clock.Elapsed > Deadline)
            {
                throw new TimeoutException($"Routing did not reach the expected state within {Deadline.TotalSeconds:N0} s.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
