using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrmPerf.Diagnostics;
using OrmPerf.Sql;

namespace OrmPerf.Indexes;

/// <summary><see cref="IIndexAdvisor"/> over PostgreSQL's catalogs and cumulative statistics. Thread-safe.</summary>
internal sealed class PostgresIndexAdvisor : IIndexAdvisor
{
    private const string IndexesSql = """
        SELECT n.nspname AS "Schema", t.relname AS "Table", ic.relname AS "Index",
               coalesce(s.idx_scan, 0) AS "Scans", pg_relation_size(i.indexrelid) AS "SizeBytes",
               pg_get_indexdef(i.indexrelid) AS "Definition",
               am.amname AS "Method", i.indisunique AS "IsUnique", i.indisprimary AS "IsPrimary",
               EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) AS "BacksConstraint",
               i.indisvalid AS "IsValid", i.indnkeyatts::int AS "KeyCount", i.indkey::text AS "Columns",
               i.indclass::text AS "OperatorClasses",
               coalesce(pg_get_expr(i.indexprs, i.indrelid), '') AS "Expressions",
               coalesce(pg_get_expr(i.indpred, i.indrelid), '') AS "Predicate"
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_class t ON t.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        JOIN pg_am am ON am.oid = ic.relam
        LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = i.indexrelid
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
          AND (cardinality(@schemas) = 0 OR n.nspname = ANY(@schemas))
        """;

    private const string TablesSql = """
        SELECT schemaname AS "Schema", relname AS "Table", seq_scan AS "SequentialScans", seq_tup_read AS "RowsReadBySequentialScans",
               coalesce(idx_scan, 0) AS "IndexScans", n_live_tup AS "LiveRows"
        FROM pg_stat_user_tables
        WHERE seq_scan >= @minScans AND n_live_tup >= @minRows
          AND (cardinality(@schemas) = 0 OR schemaname = ANY(@schemas))
        ORDER BY seq_tup_read DESC
        """;

    private readonly DbDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the advisor over a data source (the primary: replicas keep their own statistics).</summary>
    public PostgresIndexAdvisor(DbDataSource dataSource, TimeProvider timeProvider, ILogger<PostgresIndexAdvisor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _dataSource = dataSource;
        _time = timeProvider;
        _logger = logger ?? NullLogger<PostgresIndexAdvisor>.Instance;
    }

    /// <inheritdoc />
    public async Task<IndexReport> AnalyzeAsync(IndexAnalysisOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new IndexAnalysisOptions();
        options.Validate();
        var schemas = options.Schemas.ToArray();

        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var indexes = (await connection.QueryAsync<IndexUsage, IndexShape, IndexDefinition>(
            new CommandDefinition(IndexesSql, new { schemas }, cancellationToken: cancellationToken),
            (usage, shape) => new IndexDefinition(usage, shape.Method, shape.IsUnique, shape.IsPrimary, shape.BacksConstraint, shape.IsValid,
                shape.KeyCount, shape.Columns, shape.OperatorClasses, shape.Expressions, shape.Predicate),
            splitOn: "Method").ConfigureAwait(false)).ToList();
        var tables = (await connection.QueryAsync<TableScanUsage>(new CommandDefinition(
            TablesSql, new { schemas, minScans = options.MinSequentialScans, minRows = options.MinRowsForSequentialScanReport },
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        var (resetAt, startedAt) = await connection.QuerySingleAsync<(DateTime?, DateTime)>(new CommandDefinition(
            "SELECT (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()), pg_postmaster_start_time()",
            cancellationToken: cancellationToken)).ConfigureAwait(false);

        var unused = indexes
            .Where(i => i.IsValid && !i.IsUnique && i.IsDroppable && i.Usage.Scans <= options.MaxScansOfUnusedIndex)
            .Select(i => i.Usage).OrderByDescending(u => u.SizeBytes).ToList();
        var invalid = indexes.Where(i => !i.IsValid).Select(i => i.Usage).ToList();
        var redundant = RedundantIndexFinder.Find(indexes);
        var reset = resetAt is { } r ? new DateTimeOffset(DateTime.SpecifyKind(r, DateTimeKind.Utc)) : (DateTimeOffset?)null;
        var started = new DateTimeOffset(DateTime.SpecifyKind(startedAt, DateTimeKind.Utc));
        var age = _time.GetUtcNow() - (reset ?? started);

        Log.IndexReportBuilt(_logger, unused.Count, redundant.Count, invalid.Count, tables.Count, age);
        return new IndexReport(unused, redundant, invalid, tables, reset, started, age);
    }

    /// <inheritdoc />
    public async Task<QueryPlan> ExplainAsync(string sql, object? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        return QueryPlan.Parse(await ExplainJsonAsync(connection, "EXPLAIN (FORMAT JSON) ", sql, parameters, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<CoveringIndexSuggestion?> SuggestCoveringIndexAsync(string sql, object? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        return CoveringIndexSuggester.FromPlan(
            await ExplainJsonAsync(connection, "EXPLAIN (FORMAT JSON, VERBOSE) ", sql, parameters, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<QueryPlan> CreateSuggestedIndexAsync(CoveringIndexSuggestion suggestion, string sql, object? parameters = null, bool vacuum = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suggestion);
        // Rebuilt from the parts rather than trusting the record's text, which a caller could have replaced.
        var create = CoveringIndex.CreateStatement(suggestion.Table, suggestion.KeyColumns, suggestion.IncludeColumns);
        var indexName = CoveringIndex.NameFor(suggestion.Table, suggestion.KeyColumns);
        var table = SqlIdentifier.QuoteQualified(suggestion.Table, nameof(suggestion));
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.ExecuteAsync(new CommandDefinition(create, commandTimeout: 0, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (vacuum)
            {
                await connection.ExecuteAsync(new CommandDefinition($"VACUUM (ANALYZE) {table}", commandTimeout: 0, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }
        }

        var plan = await ExplainAsync(sql, parameters, cancellationToken).ConfigureAwait(false);
        Log.CoveringIndexCreated(_logger, indexName, suggestion.Table, plan.UsesIndexOnlyScanOn(indexName));
        return plan;
    }

    private static async Task<string> ExplainJsonAsync(DbConnection connection, string explain, string sql, object? parameters, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<string>(new CommandDefinition(explain + sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false)
        ?? throw new InvalidOperationException($"EXPLAIN returned no plan for: {sql}");

    private sealed record IndexShape(
        string Method, bool IsUnique, bool IsPrimary, bool BacksConstraint, bool IsValid, int KeyCount,
        string Columns, string OperatorClasses, string Expressions, string Predicate);
}
