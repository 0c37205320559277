namespace MiaLab.Core.Attacks;

/// <summary>A chosen threshold τ (predict member when score ≥ τ) and the value of the criterion it reached.</summary>
public readonly record struct Threshold(double Tau, double Objective);

/// <summary>
/// Choosing a score threshold on labelled evaluation data (ALGORITHMS.md §2). Every distinct score
/// is tried as τ and a sample is predicted a member when score ≥ τ. Among equally good thresholds
/// the highest τ wins (the fewest predicted members). O(n log n).
/// </summary>
public static class ThresholdSelection
{
    /// <summary>The τ with the highest accuracy (correct predictions / n).</summary>
    public static Threshold MaxAccuracy(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember) =>
        Sweep(scores, isMember, balanced: false);

    /// <summary>The τ with the highest ½(TPR + TNR). A rate whose denominator is zero counts as 0,
    /// so with only members (or only non-members) the other rate alone decides.</summary>
    public static Threshold MaxBalancedAccuracy(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember) =>
        Sweep(scores, isMember, balanced: true);

    /// <summary>Song &amp; Mittal's class-dependent thresholds: for each label present, the τ with
    /// the highest ½(TPR + TNR) on that label's samples.</summary>
    public static Dictionary<long, Threshold> PerClass(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember, ReadOnlySpan<long> labels)
    {
        Check(scores, isMember);
        if (labels.Length != scores.Length)
            throw new InputException($"scores has {scores.Length} values but labels has {labels.Length}");
        var groups = new Dictionary<long, List<int>>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (!groups.TryGetValue(labels[i], out var list)) groups[labels[i]] = list = [];
            list.Add(i);
        }
        var result = new Dictionary<long, Threshold>(groups.Count);
        foreach (var (label, idx) in groups)
        {
            var s = new double[idx.Count];
            var m = new bool[idx.Count];
            for (int k = 0; k < idx.Count; k++) { s[k] = scores[idx[k]]; m[k] = isMember[idx[k]]; }
            result[label] = MaxBalancedAccuracy(s, m);
        }
        return result;
    }

    /// <summary>Fraction of samples predicted correctly by "member iff score ≥ τ".</summary>
    public static double Accuracy(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember, double tau)
    {
        Check(scores, isMember);
        if (scores.Length == 0) return double.NaN;
        int correct = 0;
        for (int i = 0; i < scores.Length; i++)
            if ((scores[i] >= tau) == isMember[i]) correct++;
        return (double)correct / scores.Length;
    }

    /// <summary>Accuracy of per-class thresholds: a sample of label y is a member iff score ≥ τ_y;
    /// a label without a threshold uses <paramref name="fallback"/>.</summary>
    public static double Accuracy(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember, ReadOnlySpan<long> labels,
        IReadOnlyDictionary<long, Threshold> perClass, double fallback)
    {
        Check(scores, isMember);
        if (labels.Length != scores.Length)
            throw new InputException($"scores has {scores.Length} values but labels has {labels.Length}");
        if (scores.Length == 0) return double.NaN;
        int correct = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            double tau = perClass.TryGetValue(labels[i], out var t) ? t.Tau : fallback;
            if ((scores[i] >= tau) == isMember[i]) correct++;
        }
        return (double)correct / scores.Length;
    }

    private static Threshold Sweep(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember, bool balanced)
    {
        Check(scores, isMember);
        int n = scores.Length;
        if (n == 0) throw new InputException("cannot choose a threshold: no evaluation samples");
        var keys = new double[n];
        var member = new bool[n];
        int positives = 0;
        for (int i = 0; i < n; i++)
        {
            if (double.IsNaN(scores[i])) throw new InputException($"cannot choose a threshold: score {i} is NaN");
            keys[i] = -scores[i];
            member[i] = isMember[i];
            if (member[i]) positives++;
        }
        int negatives = n - positives;
        Array.Sort(keys, member); // highest score first

        double bestTau = double.NaN, best = double.NegativeInfinity;
        int tp = 0, fp = 0, k = 0;
        while (k < n)
        {
            double key = keys[k];
            while (k < n && keys[k] == key)
            {
                if (member[k]) tp++; else fp++;
                k++;
            }
            double objective = balanced
                ? 0.5 * (Rate(tp, positives) + Rate(negatives - fp, negatives))
                : (double)(tp + negatives - fp) / n;
            if (objective > best) { best = objective; bestTau = -key; }
        }
        return new Threshold(bestTau, best);
    }

    private static double Rate(int count, int total) => total == 0 ? 0.0 : (double)count / total;

    private static void Check(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember)
    {
        if (scores.Length != isMember.Length)
            throw new InputException($"scores has {scores.Length} values but membership has {isMember.Length}");
    }
}
