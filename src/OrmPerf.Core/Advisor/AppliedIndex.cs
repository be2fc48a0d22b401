namespace OrmPerf.Advisor;

/// <summary>What <see cref="IWorkloadAdvisor.ApplyIndexAsync"/> did: the index it created and the statement's plan before and after.</summary>
/// <param name="IndexName">The created index.</param>
/// <param name="CreateStatement">The statement that created it.</param>
/// <param name="CostBefore">The statement's estimated cost when the recommendation was made.</param>
/// <param name="CostAfter">Its estimated cost now.</param>
/// <param name="PlanUsesIndex">Whether the statement's plan now scans the new index: the check that the plan changed.</param>
/// <param name="PlanJson">The new plan (<c>EXPLAIN (FORMAT JSON, VERBOSE)</c> of the generic plan).</param>
public sealed record AppliedIndex(string IndexName, string CreateStatement, double CostBefore, double CostAfter, bool PlanUsesIndex, string PlanJson);
