using System.Globalization;

namespace MiaLab.Reports;

/// <summary>Number and text formatting used throughout the report. Invariant culture, so a report
/// reads the same on every machine.</summary>
public static class ReportFormat
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A value in [0, 1] such as AUC or balanced accuracy, with three decimals: "0.873".</summary>
    public static string Ratio(double value) =>
        double.IsFinite(value) ? value.ToString("0.000", Inv) : "—";

    /// <summary>A fraction as a percentage whose precision follows its size:
    /// 12.3%, 4.56%, 0.123%, 0.0123%, 0%.</summary>
    public static string Percent(double fraction)
    {
        if (!double.IsFinite(fraction))
        {
            return "—";
        }
        double p = fraction * 100.0;
        double a = Math.Abs(p);
        string text = a == 0 ? "0"
            : a >= 10 ? p.ToString("0.0", Inv)
            : a >= 1 ? p.ToString("0.00", Inv)
            : a >= 0.1 ? p.ToString("0.000", Inv)
            : a >= 0.001 ? p.ToString("0.0000", Inv)
            : p.ToString("0.0E+0", Inv);
        return text + "%";
    }

    /// <summary>A false-positive-rate level such as 0.001 written as a percentage: "0.1%".</summary>
    public static string Level(double alpha) =>
        (alpha * 100.0).ToString("0.####", Inv) + "%";

    /// <summary>A multiple of chance: "123×", "4.5×".</summary>
    public static string Multiple(double x) =>
        !double.IsFinite(x) ? "—"
        : x >= 10 ? Math.Round(x).ToString("#,0", Inv) + "×"
        : x.ToString("0.0", Inv) + "×";

    /// <summary>An attack score, compactly: 4 significant digits.</summary>
    public static string Score(double score) =>
        double.IsNaN(score) ? "NaN"
        : double.IsPositiveInfinity(score) ? "+∞"
        : double.IsNegativeInfinity(score) ? "−∞"
        : score.ToString("G4", Inv);

    /// <summary>A count with thousands separators: "12,345".</summary>
    public static string Count(int n) => n.ToString("#,0", Inv);

    /// <summary>A confidence level as a percentage: 0.95 → "95%", 0.995 → "99.5%".</summary>
    public static string Confidence(double level) => (100 * level).ToString("0.##", Inv) + "%";

    /// <summary>An ordinary number for the plots' tick labels and text.</summary>
    public static string Number(double x, string format) => x.ToString(format, Inv);
}
