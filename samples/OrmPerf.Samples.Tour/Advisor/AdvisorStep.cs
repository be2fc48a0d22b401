using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using OrmPerf.Advisor;
using OrmPerf.Samples.Tour.Indexes;
using OrmPerf.Samples.Tour.Measurement;
using OrmPerf.Samples.Tour.MaterializedViews;

namespace OrmPerf.Samples.Tour.Advisor;

/// <summary>
/// Measure before optimizing: runs the naive queries of the steps that follow (the recently-active-customers query, the
/// live dashboard aggregate), then asks IWorkloadAdvisor what to do. Its answers are the techniques the tour applies
/// next: the covering index on customers (verified with a HypoPG hypothetical index) and a materialized view for the
/// aggregate.
/// </summary>
internal sealed class AdvisorStep : ITourStep
{
    public string Title => "Advisor: what to optimize, measured first";

    public async Task<IReadOnlyList<TourResult>> RunAsync(TourContext context, CancellationToken cancellationToken)
    {
        var repeats = Math.Max(30, context.Sizes.QueryRepeats);
        await using (var connection = await context.DataSource.OpenConnectionAsync(cancellationToken))
        {
            for (var i = 0; i < repeats; i++)
            {
                await connection.QueryAsync(new CommandDefinition(CoveringIndexStep.RecentlyActive, CoveringIndexStep.Parameters, cancellationToken: cancellationToken));
                await connection.QueryAsync(new CommandDefinition(MaterializedViewStep.LiveDashboard, MaterializedViewStep.Since, cancellationToken: cancellationToken));
            }
        }

        // The tour's data and run are small, its tables were seeded moments ago, and pg_stat_statements also counts earlier
        // tour runs' statements of the same text: thresholds meant for a production server's statistics are lowered.
        var report = await context.Services.GetRequiredService<IWorkloadAdvisor>().AnalyzeAsync(
            new WorkloadAdvisorOptions
            {
                Schemas = [context.Database.Schema], MinCallsForIndex = 1, MinRowsForIndex = 1_000, MinCallsForView = 1, MinMeanMillisecondsForView = 0.5, MaxWritesPerCallForView = 2,
            },
            cancellationToken: cancellationToken);

        var results = new List<TourResult>();
        var index = report.Indexes.FirstOrDefault(i => i.Index.Table.EndsWith(".customers", StringComparison.Ordinal));
        results.Add(index is { CostAfter: { } after }
            ? TourResult.LowerIsBetter(
                "advisor: index (estimated cost)",
                Cost(index.CostBefore), Cost(after),
                $"{Describe(index)}, HypoPG-verified -> applied by the covering-index step")
            : TourResult.LowerIsBetter("advisor: index (estimated cost)", Cost(0), Cost(0),
                index is null ? "no index recommended on customers" : $"{Describe(index)}, unverified (no HypoPG) -> applied by the covering-index step"));

        var view = report.ViewCandidates.FirstOrDefault(v => v.Statement.Contains("sum(o.amount)", StringComparison.Ordinal));
        results.Add(TourResult.LowerIsBetter(
            "advisor: materialized view (mean time)",
            view is null ? Figure.Duration(TimeSpan.Zero) : Figure.Duration(TimeSpan.FromMilliseconds(view.MeanMilliseconds)),
            new Figure(0, "ms", "-"),
            view is null ? "no view recommended" : $"aggregate over {string.Join(", ", view.Tables)}, {view.TableWriteStatements} writes meanwhile -> the materialized-view step"));
        return results;
    }

    private static Figure Cost(double cost) => new(cost, "cost", cost.ToString("N0", CultureInfo.InvariantCulture));

    private static string Describe(IndexRecommendation index) =>
        $"{index.Index.Table.Split('.')[^1]} ({string.Join(", ", index.Index.KeyColumns)}) INCLUDE ({string.Join(", ", index.Index.IncludeColumns)})";
}
