using MiaLab.Core.Evaluation;

namespace MiaLab.Core.Mint;

/// <summary>Balanced accuracy ½(TPR + TNR) of a decision fixed in advance (a detector's 0.5, a
/// threshold chosen on other data), with the normal-approximation 95% interval
/// ½(TPR + TNR) ± 1.96·½·√(TPR(1−TPR)/P + TNR(1−TNR)/Q) (members and non-members independent).</summary>
public readonly record struct FixedThresholdAccuracy(double BalancedAccuracy, Interval Ci95, double Tpr, double Tnr, int Members, int NonMembers)
{
    /// <summary>"Member" iff score ≥ τ (<paramref name="strict"/>: score &gt; τ).</summary>
    public static FixedThresholdAccuracy At(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember, double tau, bool strict = false)
    {
        if (scores.Length != isMember.Length) throw new ArgumentException($"{scores.Length} scores but {isMember.Length} membership flags");
        int tp = 0, p = 0, tn = 0, q = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            bool member = strict ? scores[i] > tau : scores[i] >= tau;
            if (isMember[i]) { p++; if (member) tp++; }
            else { q++; if (!member) tn++; }
        }
        if (p == 0 || q == 0) return new FixedThresholdAccuracy(double.NaN, new Interval(double.NaN, double.NaN), double.NaN, double.NaN, p, q);
        double tpr = (double)tp / p, tnr = (double)tn / q;
        double ba = 0.5 * (tpr + tnr);
        double half = 1.96 * 0.5 * Math.Sqrt(tpr * (1 - tpr) / p + tnr * (1 - tnr) / q);
        return new FixedThresholdAccuracy(ba, new Interval(ba - half, ba + half), tpr, tnr, p, q);
    }
}
