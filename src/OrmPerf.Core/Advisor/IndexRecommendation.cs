using OrmPerf.Indexes;

namespace OrmPerf.Advisor;

/// <summary>An index that would serve one of the statements taking the most time.</summary>
/// <param name="Statement">The statement as <c>pg_stat_statements</c> normalised it (constants as <c>$1</c>, <c>$2</c>...).</param>
/// <param name="Calls">Its calls.</param>
/// <param name="TotalMilliseconds">Its total execution time.</param>
/// <param name="Index">The index: table, key columns, <c>INCLUDE</c> columns and the <c>CREATE INDEX CONCURRENTLY</c> statement.</param>
/// <param name="Verified">True when HypoPG tried it as a hypothetical index and the planner chose it; false for an unverified suggestion read from the plan alone.</param>
/// <param name="CostBefore">The generic plan's estimated total cost today.</param>
/// <param name="CostAfter">The estimated total cost with the hypothetical index; null when not verified.</param>
/// <param name="TableWriteStatements">Calls of write statements on the table since the statistics were reset: each one also maintains the new index.</param>
/// <param name="TableRowsWritten">Rows inserted, updated and deleted in the table since then.</param>
/// <param name="Evidence">The numbers above in one sentence.</param>
public sealed record IndexRecommendation(
    string Statement,
    long Calls,
    double TotalMilliseconds,
    CoveringIndexSuggestion Index,
    bool Verified,
    double CostBefore,
    double? CostAfter,
    long TableWriteStatements,
    long TableRowsWritten,
    string Evidence)
{
    /// <summary>True when the table takes more write statements than this statement has calls: the index costs each of them.</summary>
    public bool WriteHeavyTable => TableWriteStatements > Calls;
}
