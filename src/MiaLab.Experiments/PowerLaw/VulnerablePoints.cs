using MiaLab.Core.Evaluation;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>The most vulnerable samples at one FPR level, chosen on one half of the targets and
/// evaluated on the other (both ways), with how many samples each half chose.</summary>
public sealed record VulnerableSubset(double Fraction, double Alpha, int Chosen, PooledScores Pairs);

/// <summary>
/// The most vulnerable points, cross-fitted so that choosing them does not flatter them. The targets
/// split by parity into halves A (even) and B (odd). On half A, the pooled ROC's point at FPR ≤ α
/// gives a threshold τ_A; a sample's vulnerability there is v_A(i) = TPR_A(i) − FPR_A(i), the share of
/// the A-targets that trained on i whose score for i reaches τ_A, minus the share of the A-targets that
/// did not. The top max(1, round(q·N)) samples by v_A (ties: larger mean IN − mean OUT score, then lower
/// index; samples without an IN or an OUT target in A are never chosen) are evaluated on the pairs of
/// half B, and symmetrically; the two sets of pairs are pooled. Choosing and measuring on the same
/// targets would pick samples whose scores were lucky there.
/// </summary>
public static class VulnerablePoints
{
    /// <summary>How many samples the top <paramref name="fraction"/> of <paramref name="samples"/> holds: at least one.</summary>
    public static int Count(int samples, double fraction) => Math.Max(1, (int)Math.Round(fraction * samples, MidpointRounding.AwayFromZero));

    public static VulnerableSubset Evaluate(PooledScores all, int samples, double alpha, double fraction)
    {
        var a = all.Where((t, _) => t % 2 == 0);
        var b = all.Where((t, _) => t % 2 == 1);
        int count = Count(samples, fraction);
        var fromA = Top(a, samples, alpha, count).ToHashSet();
        var fromB = Top(b, samples, alpha, count).ToHashSet();
        var pairs = b.Where((_, i) => fromA.Contains(i)).Concat(a.Where((_, i) => fromB.Contains(i)));
        return new VulnerableSubset(fraction, alpha, count, pairs);
    }

    /// <summary>Per sample, v(i) = TPR(i) − FPR(i) at the threshold of the pooled ROC's point at FPR ≤ α
    /// (NaN for a sample without both an IN and an OUT pair), and the tie-breaker mean IN − mean OUT score.</summary>
    public static (double[] Vulnerability, double[] Gap) PerSample(PooledScores half, int samples, double alpha)
    {
        var v = new double[samples];
        var gap = new double[samples];
        Array.Fill(v, double.NaN);
        Array.Fill(gap, double.NaN);
        if (!half.HasBothClasses) return (v, gap);
        var roc = half.Roc();
        double threshold = roc.Thresholds[Roc.PointAt(roc, alpha)];
        var inCount = new int[samples];
        var outCount = new int[samples];
        var inAbove = new int[samples];
        var outAbove = new int[samples];
        var inSum = new double[samples];
        var outSum = new double[samples];
        for (int k = 0; k < half.Count; k++)
        {
            int i = half.Samples[k];
            bool above = half.Scores[k] >= threshold;
            if (half.Members[k]) { inCount[i]++; inSum[i] += half.Scores[k]; if (above) inAbove[i]++; }
            else { outCount[i]++; outSum[i] += half.Scores[k]; if (above) outAbove[i]++; }
        }
        for (int i = 0; i < samples; i++)
        {
            if (inCount[i] == 0 || outCount[i] == 0) continue;
            v[i] = (double)inAbove[i] / inCount[i] - (double)outAbove[i] / outCount[i];
            gap[i] = inSum[i] / inCount[i] - outSum[i] / outCount[i];
        }
        return (v, gap);
    }

    /// <summary>The <paramref name="count"/> most vulnerable samples of one half (fewer when fewer have a value).</summary>
    public static int[] Top(PooledScores half, int samples, double alpha, int count)
    {
        var (v, gap) = PerSample(half, samples, alpha);
        return Enumerable.Range(0, samples).Where(i => !double.IsNaN(v[i]))
            .OrderByDescending(i => v[i]).ThenByDescending(i => gap[i]).ThenBy(i => i)
            .Take(count).ToArray();
    }
}
