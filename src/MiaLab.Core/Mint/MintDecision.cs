namespace MiaLab.Core.Mint;

/// <summary>How a MINT detector turns its probability into "used": p ≥ τ for a threshold chosen on
/// its validation rows, or p &gt; ½ (the paper's) when it has none. One place, so training, the
/// report, the factor study and <c>mint test</c> decide alike.</summary>
public static class MintDecision
{
    public const double Paper = 0.5;

    public static bool IsUsed(double? threshold, double probability) =>
        threshold is { } tau ? probability >= tau : probability > Paper;

    public static FixedThresholdAccuracy Accuracy(double? threshold, ReadOnlySpan<double> probabilities, ReadOnlySpan<bool> used) =>
        FixedThresholdAccuracy.At(probabilities, used, threshold ?? Paper, strict: threshold is null);

    /// <summary>"0.5" or "0.517 (validation)", for tables and the terminal.</summary>
    public static string Describe(double? threshold) =>
        threshold is { } tau ? $"{tau.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} (validation)" : "0.5";
}
