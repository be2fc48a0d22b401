using OrmPerf.Samples.Tour.Measurement;

namespace OrmPerf.Samples.Tour;

/// <summary>One technique of the tour: does it the naive way and the OrmPerf way, and returns the rows for the table.</summary>
internal interface ITourStep
{
    /// <summary>What the progress display shows while the step runs.</summary>
    string Title { get; }

    Task<IReadOnlyList<TourResult>> RunAsync(TourContext context, CancellationToken cancellationToken);
}
