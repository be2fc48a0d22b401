using System.Globalization;

namespace OrmPerf.Samples.Tour.Measurement;

/// <summary>One row of the final table: a technique, the naive way and the OrmPerf way, and what was gained.</summary>
internal sealed record TourResult(string Technique, Figure Naive, Figure OrmPerf, string Gain, string Note)
{
    /// <summary>A row where less is better (time, bytes, queries): the gain is naive ÷ OrmPerf.</summary>
    public static TourResult LowerIsBetter(string technique, Figure naive, Figure ormPerf, string note = "") =>
        new(technique, naive, ormPerf, Ratio(naive.Value, ormPerf.Value), note);

    /// <summary>A row where more is better (throughput): the gain is OrmPerf ÷ naive.</summary>
    public static TourResult HigherIsBetter(string technique, Figure naive, Figure ormPerf, string note = "") =>
        new(technique, naive, ormPerf, Ratio(ormPerf.Value, naive.Value), note);

    private static string Ratio(double better, double worse) => worse > 0
        ? (better / worse).ToString(better / worse < 100 ? "0.0" : "N0", CultureInfo.InvariantCulture) + "×"
        : "–";
}
