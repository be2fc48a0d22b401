namespace OrmPerf.Samples.WebApi.Dashboard;

/// <summary>One product's line of the sales summary.</summary>
public sealed record SalesRow(long ProductId, string Name, long Orders, long Units, decimal Revenue);
