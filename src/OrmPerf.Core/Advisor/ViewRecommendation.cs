namespace OrmPerf.Advisor;

/// <summary>An expensive aggregate over tables that change slowly: a materialized-view candidate.</summary>
/// <param name="Statement">The normalised statement.</param>
/// <param name="Calls">Its calls.</param>
/// <param name="MeanMilliseconds">Its mean execution time.</param>
/// <param name="TotalMilliseconds">Its total execution time.</param>
/// <param name="Tables">The tables it reads.</param>
/// <param name="TableWriteStatements">Calls of write statements on those tables.</param>
/// <param name="Evidence">The numbers above in one sentence.</param>
public sealed record ViewRecommendation(
    string Statement,
    long Calls,
    double MeanMilliseconds,
    double TotalMilliseconds,
    IReadOnlyList<string> Tables,
    long TableWriteStatements,
    string Evidence);
