using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using OrmPerf.Caching;
using OrmPerf.Connections;
using OrmPerf.Indexes;
using OrmPerf.Sql;

namespace OrmPerf.Advisor;

/// <summary>
/// <see cref="IWorkloadAdvisor"/> over PostgreSQL's cumulative statistics, plans and HypoPG, and, in-process, OrmPerf's
/// own counters: the pools' waits (from the data source factory) and the query cache's per-query counters. Thread-safe (no shared state).
/// </summary>
internal sealed partial class PostgresWorkloadAdvisor(
    NpgsqlDataSource dataSource, TimeProvider timeProvider, OrmPerfDataSourceFactory? dataSources = null, IQueryCache? queryCache = null) : IWorkloadAdvisor
{
    private const string StatementsExtension = "pg_stat_statements";
    private const string HypoPgExtension = "hypopg";
    private const int MaxPlanNotes = 5;

    private const string TablesSql = """
        SELECT schemaname AS "Schema", relname AS "Name", (n_tup_ins + n_tup_upd + n_tup_del)::bigint AS "RowsWritten",
               n_live_tup AS "LiveRows"
        FROM pg_stat_user_tables
        WHERE cardinality(@schemas) = 0 OR schemaname = ANY(@schemas)
        """;

    private const string MaterializedViewsSql = """
        SELECT m.schemaname AS "Schema", m.matviewname AS "Name",
               (coalesce(s.seq_scan, 0) + coalesce(s.idx_scan, 0))::bigint AS "Reads",
               ARRAY(SELECT DISTINCT c.relname::text FROM pg_rewrite r
                     JOIN pg_depend d ON d.objid = r.oid AND d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
                     JOIN pg_class c ON c.oid = d.refobjid
                     WHERE r.ev_class = v.oid AND c.oid <> v.oid AND c.relkind IN ('r', 'p', 'm')) AS "Sources"
        FROM pg_matviews m
        JOIN pg_namespace n ON n.nspname = m.schemaname
        JOIN pg_class v ON v.relname = m.matviewname AND v.relnamespace = n.oid
        LEFT JOIN pg_stat_all_tables s ON s.relid = v.oid
        WHERE cardinality(@schemas) = 0 OR m.schemaname = ANY(@schemas)
        """;

    private const string PoolSql = """
        SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int AS "MaxConnections",
               (SELECT count(*) FROM pg_stat_activity
                WHERE backend_type = 'client backend' AND NOT (datname = current_database() AND usename = current_user))::int AS "OtherConnections",
               (SELECT count(*) FROM pg_stat_activity
                WHERE backend_type = 'client backend' AND datname = current_database() AND usename = current_user AND pid <> pg_backend_pid())::int AS "OwnSessions",
               (SELECT count(*) FROM pg_stat_activity
                WHERE backend_type = 'client backend' AND datname = current_database() AND usename = current_user AND pid <> pg_backend_pid() AND state = 'active')::int AS "OwnActiveSessions"
        """;

    [GeneratedRegex(@"\bFOR\s+(?:UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LockingRead();

    public async Task<WorkloadReport> AnalyzeAsync(WorkloadAdvisorOptions? options = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new WorkloadAdvisorOptions();
        options.Validate();
        var schemas = options.Schemas.ToArray();
        var notes = new List<string>();

        progress?.Report("Index usage");
        var indexReport = await new PostgresIndexAdvisor(dataSource, timeProvider)
            .AnalyzeAsync(new IndexAnalysisOptions { Schemas = schemas }, cancellationToken).ConfigureAwait(false);

        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);

        progress?.Report("Extensions");
        var statementsSchema = await EnsureExtensionAsync(connection, StatementsExtension, options.CreateExtensions, notes, cancellationToken).ConfigureAwait(false);
        var hypoPgSchema = options.UseHypotheticalIndexes
            ? await EnsureExtensionAsync(connection, HypoPgExtension, options.CreateExtensions, notes, cancellationToken).ConfigureAwait(false)
            : null;

        progress?.Report("Tables and statements");
        var tables = (await connection.QueryAsync<TableActivity>(new CommandDefinition(TablesSql, new { schemas }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        var statements = statementsSchema is null
            ? []
            : await ReadStatementsAsync(connection, statementsSchema, notes, cancellationToken).ConfigureAwait(false);
        var workload = new Workload(statements, tables);

        progress?.Report("Index candidates");
        var indexes = await SuggestIndexesAsync(connection, workload, options, schemas, hypoPgSchema, notes, cancellationToken).ConfigureAwait(false);

        progress?.Report("Cache and view candidates");
        var cache = SuggestCaching(workload, options);
        var views = SuggestViews(workload, options);
        var materializedViews = await ReviewMaterializedViewsAsync(connection, workload, schemas, cancellationToken).ConfigureAwait(false);

        progress?.Report("Pool sizing");
        var pool = await SizePoolAsync(connection, options, cancellationToken).ConfigureAwait(false);

        progress?.Report("Cached queries");
        var cachedNotPaying = options.ReadLibraryCounters && queryCache is QueryCache local
            ? CachedQueryReview.Review(local.GetQueryStatistics(), options)
            : [];
        if (!options.ReadLibraryCounters)
        {
            notes.Add("Run outside the application: OrmPerf's own counters (pool waits, per-query cache hits and invalidations) were not read, so a pool "
                + "too small for its demand and cached queries whose tables change too often are not reported; run IWorkloadAdvisor in the application "
                + "(services.AddOrmPerf(...).AddWorkloadAdvisor()) for them.");
        }

        return new WorkloadReport(
            statementsSchema is not null, hypoPgSchema is not null, notes, workload.Reads.Count, indexes,
            indexReport.UnusedIndexes, indexReport.RedundantIndexes, indexReport.InvalidIndexes, cache, views, materializedViews, pool,
            indexReport.StatisticsAge, options.ReadLibraryCounters, cachedNotPaying);
    }

    public async Task<AppliedIndex> ApplyIndexAsync(IndexRecommendation recommendation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recommendation);
        var index = recommendation.Index;
        // Rebuilt from the parts rather than trusting the record's text, which a caller could have replaced.
        var create = CoveringIndex.CreateStatement(index.Table, index.KeyColumns, index.IncludeColumns);
        var name = CoveringIndex.NameFor(index.Table, index.KeyColumns);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(create, commandTimeout: 0, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition($"ANALYZE {SqlIdentifier.QuoteQualified(index.Table)}", commandTimeout: 0, cancellationToken: cancellationToken)).ConfigureAwait(false);

        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("SET TRANSACTION READ ONLY", cancellationToken: cancellationToken)).ConfigureAwait(false);
        // The statement's unqualified names resolve in the index's schema, where the analysis found its table.
        await ResolveNamesInAsync(connection, SqlIdentifier.Split(index.Table).Schema is { } schema ? [schema] : [], cancellationToken).ConfigureAwait(false);
        var planner = new GenericPlanner(connection, hypoPgSchema: null);
        await planner.BeginAsync(cancellationToken).ConfigureAwait(false);
        var (plan, error) = await planner.ExplainAsync(recommendation.Statement, cancellationToken).ConfigureAwait(false);
        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        if (plan is null)
        {
            throw new InvalidOperationException($"Index {name} was created, but the statement could not be planned again ({error}): {recommendation.Statement}");
        }

        return new AppliedIndex(name, create, recommendation.CostBefore, GenericPlanner.TotalCost(plan), GenericPlanner.UsesIndex(plan, name), plan);
    }

    /// <summary>The extension's schema, creating it when allowed and available; null (with a note saying why) when it cannot be used.</summary>
    private static async Task<string?> EnsureExtensionAsync(NpgsqlConnection connection, string extension, bool create, List<string> notes, CancellationToken cancellationToken)
    {
        const string installed = "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = @extension";
        var schema = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(installed, new { extension }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (schema is null)
        {
            var available = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = @extension)", new { extension }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (!available)
            {
                notes.Add(extension == HypoPgExtension
                    ? "HypoPG is not installed on the server (Debian: apt-get install postgresql-15-hypopg): index candidates are unverified suggestions."
                    : "pg_stat_statements is not installed on the server (it ships with PostgreSQL's contrib): no statement statistics, so no index, cache or view candidates.");
                return null;
            }

            if (!create)
            {
                notes.Add($"The {extension} extension is available but not created in this database, and CreateExtensions is off: run CREATE EXTENSION {extension}.");
                return null;
            }

            try
            {
                // In public, not the first schema of the search path, which may be an application's (or a test's) own schema.
                await connection.ExecuteAsync(new CommandDefinition($"CREATE EXTENSION IF NOT EXISTS {extension} SCHEMA public", cancellationToken: cancellationToken)).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateObject)
            {
                // Created concurrently by another session: read it below.
            }
            catch (PostgresException e)
            {
                notes.Add($"CREATE EXTENSION {extension} failed ({e.SqlState}: {e.MessageText}); a superuser or the database owner must create it.");
                return null;
            }

            schema = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(installed, new { extension }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        return schema;
    }

    private static async Task<List<StatementStatistics>> ReadStatementsAsync(NpgsqlConnection connection, string schema, List<string> notes, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT query AS "Query", calls AS "Calls", total_exec_time AS "TotalMilliseconds", mean_exec_time AS "MeanMilliseconds", rows AS "Rows"
            FROM {SqlIdentifier.Escape(schema)}.pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND toplevel AND query IS NOT NULL
            """;
        try
        {
            return (await connection.QueryAsync<StatementStatistics>(new CommandDefinition(sql, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectNotInPrerequisiteState)
        {
            notes.Add("pg_stat_statements is created but not loaded: add it to shared_preload_libraries in postgresql.conf and restart the server. "
                + "Without it there are no statement statistics, so no index, cache or view candidates.");
            return [];
        }
    }

    private static async Task<List<IndexRecommendation>> SuggestIndexesAsync(
        NpgsqlConnection connection, Workload workload, WorkloadAdvisorOptions options, string[] schemas, string? hypoPgSchema,
        List<string> notes, CancellationToken cancellationToken)
    {
        var found = new List<IndexRecommendation>();
        var candidates = workload.Reads.Where(r => r.Statistics.Calls >= options.MinCallsForIndex)
            .OrderByDescending(r => r.Statistics.TotalMilliseconds).Take(options.TopStatements).ToList();
        if (candidates.Count == 0)
        {
            return found;
        }

        var planErrors = 0;
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            await connection.ExecuteAsync(new CommandDefinition("SET TRANSACTION READ ONLY", cancellationToken: cancellationToken)).ConfigureAwait(false);
            await ResolveNamesInAsync(connection, schemas, cancellationToken).ConfigureAwait(false);
            var planner = new GenericPlanner(connection, hypoPgSchema);
            await planner.BeginAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (statistics, _) in candidates)
            {
                var (plan, error) = await planner.ExplainAsync(statistics.Query, cancellationToken).ConfigureAwait(false);
                if (plan is null)
                {
                    if (++planErrors <= MaxPlanNotes)
                    {
                        // Statements are matched to tables by name: another schema's statement over tables of the same names does not plan here.
                        notes.Add($"Could not plan \"{Shorten(statistics.Query)}\" ({error})"
                            + (schemas.Length > 0 ? "; it may belong to another schema with tables of the same names." : "."));
                    }

                    continue;
                }

                if (CoveringIndexSuggester.FromPlan(plan) is not { } suggestion
                    || (schemas.Length > 0 && !schemas.Contains(SqlIdentifier.Split(suggestion.Table).Schema))
                    || workload.LiveRows(suggestion.Table) < options.MinRowsForIndex
                    || found.Any(f => f.Index.CreateStatement == suggestion.CreateStatement))
                {
                    continue;
                }

                var before = GenericPlanner.TotalCost(plan);
                var table = SqlIdentifier.Split(suggestion.Table).Name;
                var writes = workload.WriteStatements(table);
                var rowsWritten = workload.RowsWritten(suggestion.Table);
                var price = Invariant($"table {suggestion.Table}: {writes} write statements ({rowsWritten} rows written) against this statement's {statistics.Calls} calls; each write also maintains the index");
                if (hypoPgSchema is not null)
                {
                    var tried = await planner.TryHypotheticalAsync(statistics.Query, suggestion, cancellationToken).ConfigureAwait(false);
                    if (tried is { Used: true } t && t.Cost <= before * (1 - options.MinCostReduction))
                    {
                        found.Add(new IndexRecommendation(statistics.Query, statistics.Calls, statistics.TotalMilliseconds, suggestion, true, before, t.Cost, writes, rowsWritten,
                            Invariant($"{statistics.Calls} calls, {statistics.TotalMilliseconds:0.#} ms in total; estimated cost {before:0.##} -> {t.Cost:0.##} with the index as a HypoPG hypothetical index; {price}.")));
                    }
                }
                else if (QueryPlan.Parse(plan).UsesSequentialScan)
                {
                    found.Add(new IndexRecommendation(statistics.Query, statistics.Calls, statistics.TotalMilliseconds, suggestion, false, before, null, writes, rowsWritten,
                        Invariant($"UNVERIFIED (no HypoPG): the plan scans {suggestion.Table} sequentially with a filter on {string.Join(", ", suggestion.KeyColumns)}; {statistics.Calls} calls, {statistics.TotalMilliseconds:0.#} ms in total, estimated cost {before:0.##} today; {price}.")));
                }
            }

            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        }

        if (planErrors > MaxPlanNotes)
        {
            notes.Add(Invariant($"{planErrors - MaxPlanNotes} more statements could not be planned."));
        }

        return found;
    }

    /// <summary>
    /// Statements name tables as their sessions' search path resolved them; the advisor's own session may have another.
    /// With schemas given, unqualified names resolve in them first (then in public), for this transaction only.
    /// </summary>
    private static async Task ResolveNamesInAsync(NpgsqlConnection connection, string[] schemas, CancellationToken cancellationToken)
    {
        if (schemas.Length > 0)
        {
            var path = string.Join(", ", schemas.Append("public").Distinct(StringComparer.Ordinal).Select(SqlIdentifier.Escape));
            await connection.ExecuteAsync(new CommandDefinition($"SET LOCAL search_path TO {path}", cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    private static List<CacheRecommendation> SuggestCaching(Workload workload, WorkloadAdvisorOptions options)
    {
        var found = new List<CacheRecommendation>();
        foreach (var (statistics, tables) in workload.Reads)
        {
            if (statistics.Calls < options.MinCallsForCache || statistics.RowsPerCall > options.MaxRowsPerCallForCache
                || !workload.AllKnownTables(tables) || LockingRead().IsMatch(statistics.Query))
            {
                continue;
            }

            var writes = tables.Sum(workload.WriteStatements);
            var hitRatio = Math.Max(0, 1 - ((double)writes / statistics.Calls));
            if (hitRatio >= options.MinExpectedHitRatio)
            {
                found.Add(new CacheRecommendation(statistics.Query, statistics.Calls, statistics.RowsPerCall, statistics.MeanMilliseconds, tables.Order(StringComparer.Ordinal).ToList(), writes, hitRatio,
                    Invariant($"{statistics.Calls} calls returning {statistics.RowsPerCall:0.##} rows each ({statistics.MeanMilliseconds:0.###} ms mean plus a round trip), while its tables ({string.Join(", ", tables.Order(StringComparer.Ordinal))}) took {writes} write statements: expected hit ratio up to {hitRatio:P1}.")));
            }
        }

        return found.OrderByDescending(f => f.Calls).ToList();
    }

    private static List<ViewRecommendation> SuggestViews(Workload workload, WorkloadAdvisorOptions options)
    {
        var found = new List<ViewRecommendation>();
        foreach (var (statistics, tables) in workload.Reads)
        {
            if (statistics.Calls < options.MinCallsForView || statistics.MeanMilliseconds < options.MinMeanMillisecondsForView
                || !StatementShape.Aggregates(statistics.Query) || !workload.AllKnownTables(tables) || tables.Any(workload.IsMaterializedViewName))
            {
                continue;
            }

            var writes = tables.Sum(workload.WriteStatements);
            if (writes <= statistics.Calls * options.MaxWritesPerCallForView)
            {
                found.Add(new ViewRecommendation(statistics.Query, statistics.Calls, statistics.MeanMilliseconds, statistics.TotalMilliseconds, tables.Order(StringComparer.Ordinal).ToList(), writes,
                    Invariant($"An aggregate taking {statistics.MeanMilliseconds:0.#} ms per call ({statistics.Calls} calls, {statistics.TotalMilliseconds:0.#} ms in total) over tables ({string.Join(", ", tables.Order(StringComparer.Ordinal))}) that took {writes} write statements meanwhile.")));
            }
        }

        return found.OrderByDescending(f => f.TotalMilliseconds).ToList();
    }

    private static async Task<List<MaterializedViewFinding>> ReviewMaterializedViewsAsync(NpgsqlConnection connection, Workload workload, string[] schemas, CancellationToken cancellationToken)
    {
        var found = new List<MaterializedViewFinding>();
        var views = await connection.QueryAsync<MaterializedViewActivity>(new CommandDefinition(MaterializedViewsSql, new { schemas }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        foreach (var view in views)
        {
            var refreshes = workload.Refreshes(view.Name);
            var sourceWrites = view.Sources.Sum(workload.WriteStatements);
            var name = view.Schema + "." + view.Name;
            if (refreshes > 0 && refreshes > sourceWrites)
            {
                found.Add(new MaterializedViewFinding(name, refreshes, sourceWrites, view.Reads,
                    Invariant($"Refreshed {refreshes} times while its tables ({string.Join(", ", view.Sources)}) took {sourceWrites} write statements: refresh on change instead of on a timer.")));
            }
            else if (refreshes > 0 && view.Reads < refreshes)
            {
                found.Add(new MaterializedViewFinding(name, refreshes, sourceWrites, view.Reads,
                    Invariant($"Refreshed {refreshes} times but read {view.Reads} times: refresh less often, or query the tables directly.")));
            }
        }

        return found;
    }

    private async Task<PoolSizing> SizePoolAsync(NpgsqlConnection connection, WorkloadAdvisorOptions options, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        var maxPoolSize = builder.Pooling ? builder.MaxPoolSize : 0;
        var (maxConnections, otherConnections, ownSessions, ownActive) = await connection.QuerySingleAsync<(int, int, int, int)>(
            new CommandDefinition(PoolSql, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var demand = (long)maxPoolSize * options.Instances;
        var room = maxConnections - otherConnections;
        var pressure = options.ReadLibraryCounters && dataSources is not null ? PoolPressureReview.Review(dataSources.ReadPoolPressure(), options) : [];
        var sessions = Invariant($"pg_stat_activity: {ownSessions} other sessions of this database and user ({ownActive} active)");
        var inProcess = pressure.Count == 0 ? "" : "; in this process: " + string.Join("; ", pressure.Select(p => p.Evidence));
        if (demand > room)
        {
            return new PoolSizing(PoolVerdict.TooBig, maxPoolSize, options.Instances, maxConnections, otherConnections, ownSessions, ownActive, pressure,
                Invariant($"{options.Instances} instances x Max Pool Size {maxPoolSize} = {demand} connections, but the server accepts {maxConnections} and other clients hold {otherConnections}: lower Max Pool Size to {Math.Max(1, room / options.Instances)} or put PgBouncer in front; {sessions}{inProcess}."));
        }

        var verdict = pressure.Any(p => p.TooSmall) ? PoolVerdict.TooSmall : PoolVerdict.Fits;
        return new PoolSizing(verdict, maxPoolSize, options.Instances, maxConnections, otherConnections, ownSessions, ownActive, pressure,
            Invariant($"{options.Instances} instances x Max Pool Size {maxPoolSize} = {demand} connections fit in the server's {maxConnections} with {otherConnections} held by other clients; {sessions}{inProcess}."));
    }

    private static string Shorten(string query) => query.Length <= 80 ? query : query[..77] + "...";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record TableActivity(string Schema, string Name, long RowsWritten, long LiveRows);

    // Properties rather than a positional record: Dapper matches constructors by the reader's field types, and an array column reads as System.Array.
    private sealed class MaterializedViewActivity
    {
        public string Schema { get; init; } = "";

        public string Name { get; init; } = "";

        public long Reads { get; init; }

        public string[] Sources { get; init; } = [];
    }

    /// <summary>The statements in scope, classified, with write and refresh counts per table.</summary>
    private sealed class Workload
    {
        private readonly HashSet<string> _knownTables;
        private readonly Dictionary<string, long> _rowsWritten;
        private readonly Dictionary<string, long> _liveRows;
        private readonly Dictionary<string, long> _writeStatements = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _refreshes = new(StringComparer.Ordinal);

        public Workload(List<StatementStatistics> statements, List<TableActivity> tables)
        {
            _knownTables = tables.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            _liveRows = tables.GroupBy(t => t.Schema + "." + t.Name).ToDictionary(g => g.Key, g => g.Sum(t => t.LiveRows), StringComparer.Ordinal);
            _rowsWritten = tables.GroupBy(t => t.Schema + "." + t.Name).ToDictionary(g => g.Key, g => g.Sum(t => t.RowsWritten), StringComparer.Ordinal);
            foreach (var statement in statements)
            {
                if (StatementShape.WrittenTable(statement.Query) is { } written)
                {
                    _writeStatements[written] = _writeStatements.GetValueOrDefault(written) + statement.Calls;
                }
                else if (StatementShape.RefreshedView(statement.Query) is { } refreshed)
                {
                    _refreshes[refreshed] = _refreshes.GetValueOrDefault(refreshed) + statement.Calls;
                }
                else if (StatementShape.ReadTables(statement.Query) is { Count: > 0 } read && read.Any(_knownTables.Contains))
                {
                    Reads.Add((statement, read));
                }
            }
        }

        /// <summary>Read statements naming at least one table in scope.</summary>
        public List<(StatementStatistics Statistics, IReadOnlyCollection<string> Tables)> Reads { get; } = [];

        public long WriteStatements(string table) => _writeStatements.GetValueOrDefault(table);

        public long Refreshes(string view) => _refreshes.GetValueOrDefault(view);

        public long RowsWritten(string qualifiedTable) => _rowsWritten.GetValueOrDefault(qualifiedTable);

        public long LiveRows(string qualifiedTable) => _liveRows.GetValueOrDefault(qualifiedTable);

        /// <summary>Every name is a table in scope (not a CTE or a table elsewhere), so its write count is complete.</summary>
        public bool AllKnownTables(IReadOnlyCollection<string> tables) => tables.All(_knownTables.Contains);

        public bool IsMaterializedViewName(string name) => _refreshes.ContainsKey(name);
    }
}
