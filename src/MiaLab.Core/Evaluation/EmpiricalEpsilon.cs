namespace MiaLab.Core.Evaluation;

/// <summary>The empirical ε lower bound at the best of a few thresholds, with that threshold's confusion counts.</summary>
public sealed record EpsilonBound(double Epsilon, double Threshold, int TruePositives, int FalseNegatives,
    int FalsePositives, int TrueNegatives);

/// <summary>
/// An empirical lower bound on the differential-privacy ε of the training procedure
/// (ALGORITHMS.md §7). A threshold's confusion counts give Clopper–Pearson intervals on its
/// rates, and any (ε, 0)-DP mechanism must satisfy TPR ≤ e^ε·FPR and TNR ≤ e^ε·FNR, so
/// ε ≥ max(log(TPR_low / FPR_high), log(TNR_low / FNR_high)), floored at 0. The thresholds
/// must be chosen on data other than the data the bound is computed on.
/// </summary>
public static class EmpiricalEpsilon
{
    /// <summary>The bound for one threshold's counts, from two-sided Clopper–Pearson intervals at
    /// <paramref name="confidence"/> (lower end for the numerator rate, upper end for the denominator).</summary>
    public static double AtCounts(int truePositives, int falseNegatives, int falsePositives, int trueNegatives,
        double confidence = 0.95)
    {
        int members = truePositives + falseNegatives, nonMembers = falsePositives + trueNegatives;
        if (members == 0 || nonMembers == 0)
            throw new InputException("empirical epsilon needs at least one member and one non-member");
        double tprLow = ClopperPearson.Compute(truePositives, members, confidence).Low;
        double fprHigh = ClopperPearson.Compute(falsePositives, nonMembers, confidence).High;
        double tnrLow = ClopperPearson.Compute(trueNegatives, nonMembers, confidence).Low;
        double fnrHigh = ClopperPearson.Compute(falseNegatives, members, confidence).High;
        double eps = Math.Max(Log(tprLow, fprHigh), Log(tnrLow, fnrHigh));
        return Math.Max(0.0, eps);
    }

    /// <summary>Candidate thresholds from held-out scores: for each α, the threshold of the point
    /// that gives the TPR at FPR ≤ α (skipped when that is the empty +∞ point), plus the threshold
    /// whose ε bound is largest on the held-out data itself. Distinct, highest first.</summary>
    public static double[] ChooseThresholds(ReadOnlySpan<double> heldOutScores, ReadOnlySpan<bool> heldOutIsMember,
        IReadOnlyList<double>? alphas = null, double confidence = 0.95)
    {
        var roc = Roc.Compute(heldOutScores, heldOutIsMember);
        var chosen = new SortedSet<double>(Comparer<double>.Create((a, b) => b.CompareTo(a)));
        foreach (double alpha in alphas ?? Evaluator.Alphas)
        {
            // TPR never decreases along the curve: the last admissible point has the highest TPR.
            int i = Array.FindLastIndex(roc.Fpr, f => f <= alpha + Roc.Epsilon);
            if (i > 0) chosen.Add(roc.Thresholds[i]);
        }
        double best = double.NegativeInfinity;
        int bestIndex = -1;
        for (int i = 1; i < roc.Fpr.Length; i++)
        {
            var (tp, fn, fp, tn) = Counts(roc, i);
            double e = AtCounts(tp, fn, fp, tn, confidence);
            if (e > best) { best = e; bestIndex = i; }
        }
        if (bestIndex > 0) chosen.Add(roc.Thresholds[bestIndex]);
        return chosen.ToArray();
    }

    /// <summary>The largest bound over <paramref name="thresholds"/> (member ⇔ score ≥ threshold)
    /// on the evaluation scores.</summary>
    public static EpsilonBound Compute(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember,
        IReadOnlyList<double> thresholds, double confidence = 0.95)
    {
        var (members, nonMembers) = Roc.Validate(scores, isMember);
        if (thresholds.Count == 0) throw new InputException("empirical epsilon needs at least one threshold");
        EpsilonBound? best = null;
        foreach (double t in thresholds)
        {
            if (double.IsNaN(t)) throw new InputException("empirical epsilon: a threshold is NaN");
            int tp = 0, fp = 0;
            for (int i = 0; i < scores.Length; i++)
                if (scores[i] >= t) { if (isMember[i]) tp++; else fp++; }
            int fn = members - tp, tn = nonMembers - fp;
            double e = AtCounts(tp, fn, fp, tn, confidence);
            if (best is null || e > best.Epsilon) best = new EpsilonBound(e, t, tp, fn, fp, tn);
        }
        return best!;
    }

    /// <summary>The bound with honest thresholds: the samples are split in two halves (stratified by
    /// membership, seeded), thresholds are chosen on the first (<see cref="ChooseThresholds"/>) and the
    /// bound is computed on the second. Null when a half lacks members or non-members.</summary>
    public static EpsilonBound? HeldOut(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember, int seed, double confidence = 0.95)
    {
        var random = new Randomness.StableRandom((ulong)Randomness.Seeds.Derive(seed, "empirical-epsilon", 0));
        var choose = new List<int>();
        var bound = new List<int>();
        foreach (bool side in new[] { true, false })
        {
            var group = new List<int>();
            for (int i = 0; i < scores.Length; i++) if (isMember[i] == side) group.Add(i);
            var order = group.ToArray();
            random.Shuffle(order.AsSpan());
            choose.AddRange(order.Take(order.Length / 2));
            bound.AddRange(order.Skip(order.Length / 2));
        }
        var s = scores.ToArray();
        var y = isMember.ToArray();
        if (choose.Count(i => y[i]) == 0 || choose.Count(i => !y[i]) == 0
            || bound.Count(i => y[i]) == 0 || bound.Count(i => !y[i]) == 0) return null;
        var thresholds = ChooseThresholds(choose.Select(i => s[i]).ToArray(), choose.Select(i => y[i]).ToArray(), confidence: confidence);
        if (thresholds.Length == 0) return null;
        return Compute(bound.Select(i => s[i]).ToArray(), bound.Select(i => y[i]).ToArray(), thresholds, confidence);
    }

    private static (int Tp, int Fn, int Fp, int Tn) Counts(RocCurve roc, int point)
    {
        int tp = (int)Math.Round(roc.Tpr[point] * roc.Members);
        int fp = (int)Math.Round(roc.Fpr[point] * roc.NonMembers);
        return (tp, roc.Members - tp, fp, roc.NonMembers - fp);
    }

    private static double Log(double numerator, double denominator) =>
        numerator <= 0 ? double.NegativeInfinity : Math.Log(numerator / denominator);
}
