namespace OrmPerf.Advisor;

/// <summary>One row of <c>pg_stat_statements</c>, as the advisor reads it.</summary>
internal sealed record StatementStatistics(string Query, long Calls, double TotalMilliseconds, double MeanMilliseconds, long Rows)
{
    public double RowsPerCall => Calls == 0 ? 0 : (double)Rows / Calls;
}
