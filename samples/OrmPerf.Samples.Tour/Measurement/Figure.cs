using System.Globalization;

namespace OrmPerf.Samples.Tour.Measurement;

/// <summary>One measured value: the number (kept in the JSON so runs can be compared), its unit, and how to show it.</summary>
internal sealed record Figure(double Value, string Unit, string Text)
{
    public static Figure Duration(TimeSpan duration) => new(duration.TotalMilliseconds, "ms", FormatDuration(duration));

    public static Figure Rate(double perSecond, string unit) => new(perSecond, unit, Invariant($"{perSecond:N0} {unit}"));

    public static Figure Count(long count, string unit) => new(count, unit, Invariant($"{count:N0} {unit}"));

    public static Figure Bytes(long bytes) => new(bytes, "bytes", FormatBytes(bytes));

    /// <summary>The same value with more said about it (e.g. the query plan next to the time).</summary>
    public Figure With(string suffix) => this with { Text = $"{Text} {suffix}" };

    public static string FormatDuration(TimeSpan duration) => duration.TotalMilliseconds switch
    {
        < 1 => Invariant($"{duration.TotalMicroseconds:N0} µs"),
        < 10 => Invariant($"{duration.TotalMilliseconds:N2} ms"),
        < 1_000 => Invariant($"{duration.TotalMilliseconds:N1} ms"),
        < 60_000 => Invariant($"{duration.TotalSeconds:N2} s"),
        _ => Invariant($"{duration.TotalMinutes:N1} min"),
    };

    private static string FormatBytes(long bytes) => bytes switch
    {
        < 10 * 1024 => Invariant($"{bytes:N0} B"),
        < 10 * 1024 * 1024 => Invariant($"{bytes / 1024.0:N0} KiB"),
        _ => Invariant($"{bytes / (1024.0 * 1024):N1} MiB"),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
