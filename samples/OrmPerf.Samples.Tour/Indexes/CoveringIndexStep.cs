using Dapper;
using Microsoft.Extensions.DependencyInjection;
using OrmPerf.Indexes;
using OrmPerf.Samples.Tour.Measurement;

namespace OrmPerf.Samples.Tour.Indexes;

/// <summary>
/// The "recently active customers" query reads email and last_login. Without an index PostgreSQL scans and sorts the
/// whole table; with a covering index (keys: the filter and sort columns, INCLUDE: email) it is answered from the
/// index alone, which IIndexAdvisor.ExplainAsync confirms from the plan.
/// </summary>
internal sealed class CoveringIndexStep : ITourStep
{
    internal const string RecentlyActive =
        "SELECT email, last_login FROM customers WHERE country = @country AND last_login >= @since ORDER BY last_login DESC LIMIT 50";

    internal static readonly object Parameters = new { country = "DE", since = new DateTime(2025, 12, 1, 0, 0, 0, DateTimeKind.Utc) };

    public string Title => "Covering index: the email/last_login query";

    public async Task<IReadOnlyList<TourResult>> RunAsync(TourContext context, CancellationToken cancellationToken)
    {
        var advisor = context.Services.GetRequiredService<IIndexAdvisor>();
        var before = await TimeQueryAsync(context, advisor, cancellationToken);

        await using (var connection = await context.DataSource.OpenConnectionAsync(cancellationToken))
        {
            // CONCURRENTLY (the default) must run outside a transaction: a plain command on an open connection is.
            var ddl = CoveringIndex.CreateStatement("customers", ["country", "last_login"], ["email"]);
            await connection.ExecuteAsync(new CommandDefinition(ddl, commandTimeout: 300, cancellationToken: cancellationToken));
        }

        var after = await TimeQueryAsync(context, advisor, cancellationToken);
        return
        [
            TourResult.LowerIsBetter(
                "covering index: email/last_login query",
                Figure.Duration(before.Time.Median).With($"({before.Scan})"),
                Figure.Duration(after.Time.Median).With($"({after.Scan})"),
                after.IndexOnly ? "index-only scan: the table is not read" : $"the planner chose {after.Scan} for this table size"),
        ];
    }

    private static async Task<(Timings Time, string Scan, bool IndexOnly)> TimeQueryAsync(TourContext context, IIndexAdvisor advisor, CancellationToken cancellationToken)
    {
        var plan = await advisor.ExplainAsync(RecentlyActive, Parameters, cancellationToken);
        var time = await Measure.RepeatAsync(context.Sizes.QueryRepeats, async (_, ct) =>
        {
            await using var connection = await context.DataSource.OpenConnectionAsync(ct);
            await connection.QueryAsync(new CommandDefinition(RecentlyActive, Parameters, cancellationToken: ct));
        }, cancellationToken);
        var scan = plan.NodeTypes.FirstOrDefault(n => n.EndsWith("Scan", StringComparison.Ordinal)) ?? string.Join(", ", plan.NodeTypes);
        return (time, scan, plan.UsesIndexOnlyScan);
    }
}
