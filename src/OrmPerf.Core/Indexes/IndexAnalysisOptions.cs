namespace OrmPerf.Indexes;

/// <summary>Thresholds of <see cref="IIndexAdvisor.AnalyzeAsync"/>.</summary>
public sealed record IndexAnalysisOptions
{
    /// <summary>Schemas to analyse; empty (the default) for every schema except the system ones.</summary>
    public IReadOnlyList<string> Schemas { get; init; } = [];

    /// <summary>An index scanned at most this many times since the statistics were reset counts as unused. Default 0.</summary>
    public long MaxScansOfUnusedIndex { get; init; }

    /// <summary>A table with at least this many sequential scans ... Default 100.</summary>
    public long MinSequentialScans { get; init; } = 100;

    /// <summary>... and at least this many live rows is reported as sequential-scan heavy. Default 10,000.</summary>
    public long MinRowsForSequentialScanReport { get; init; } = 10_000;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Schemas, nameof(Schemas));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxScansOfUnusedIndex, nameof(MaxScansOfUnusedIndex));
        ArgumentOutOfRangeException.ThrowIfNegative(MinSequentialScans, nameof(MinSequentialScans));
        ArgumentOutOfRangeException.ThrowIfNegative(MinRowsForSequentialScanReport, nameof(MinRowsForSequentialScanReport));
    }
}
