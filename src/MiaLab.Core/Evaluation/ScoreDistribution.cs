using MathNet.Numerics.Statistics;

namespace MiaLab.Core.Evaluation;

/// <summary>
/// How an attack's scores spread over the population when the target's membership is unknown (an
/// external target without target.members): without members and non-members there is no ROC, so
/// this is all an audit can report. Quantiles are R's type 7 (linear between order statistics).
/// </summary>
public sealed record ScoreDistribution(int Count, double Mean, double StandardDeviation, double Min, double Max,
    IReadOnlyList<(double Level, double Value)> Quantiles)
{
    public static readonly double[] Levels = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

    /// <summary>The distribution of the finite scores (NaN marks an unscored sample).</summary>
    public static ScoreDistribution Of(IEnumerable<double> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var sorted = scores.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0)
            return new ScoreDistribution(0, double.NaN, double.NaN, double.NaN, double.NaN, Levels.Select(l => (l, double.NaN)).ToList());
        var (mean, variance) = sorted.MeanVariance();
        return new ScoreDistribution(sorted.Length, mean, sorted.Length > 1 ? Math.Sqrt(variance) : 0, sorted[0], sorted[^1],
            Levels.Select(l => (l, SortedArrayStatistics.QuantileCustom(sorted, l, QuantileDefinition.R7))).ToList());
    }
}
