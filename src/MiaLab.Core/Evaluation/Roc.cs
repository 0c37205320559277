namespace MiaLab.Core.Evaluation;

/// <summary>
/// ROC curve and the threshold metrics read from it (ALGORITHMS.md §7). Direction: a higher
/// score means "more likely member"; a point with threshold t predicts member when score ≥ t.
/// </summary>
public static class Roc
{
    /// <summary>FPR comparisons against α tolerate this much rounding (k/n vs a decimal α).</summary>
    internal const double Epsilon = 1e-9;

    /// <summary>One point per distinct score (ties form one step), from (0,0) at threshold +∞
    /// to (1,1) at the lowest score. O(n log n).</summary>
    public static RocCurve Compute(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember)
    {
        var (members, nonMembers) = Validate(scores, isMember);
        int[] order = SortDescending(scores);

        var fpr = new List<double>(order.Length + 1) { 0.0 };
        var tpr = new List<double>(order.Length + 1) { 0.0 };
        var thresholds = new List<double>(order.Length + 1) { double.PositiveInfinity };
        int tp = 0, fp = 0;
        int k = 0;
        while (k < order.Length)
        {
            double s = scores[order[k]];
            while (k < order.Length && scores[order[k]] == s)
            {
                if (isMember[order[k]]) tp++; else fp++;
                k++;
            }
            fpr.Add((double)fp / nonMembers);
            tpr.Add((double)tp / members);
            thresholds.Add(s);
        }
        return new RocCurve(fpr.ToArray(), tpr.ToArray(), thresholds.ToArray(), members, nonMembers);
    }

    /// <summary>Mann–Whitney AUC: P(s_member &gt; s_non) + ½·P(s_member = s_non), from ranks with
    /// ties averaged. Equals the trapezoid area under <see cref="Compute"/>'s curve.</summary>
    public static double Auc(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember)
    {
        var (members, nonMembers) = Validate(scores, isMember);
        int[] order = SortDescending(scores);
        // Walk from the highest score down; a member in a tie group beats every non-member
        // below the group and ties with the group's non-members.
        double wins = 0;
        long nonAbove = 0;
        int k = 0;
        while (k < order.Length)
        {
            double s = scores[order[k]];
            long groupMembers = 0, groupNon = 0;
            while (k < order.Length && scores[order[k]] == s)
            {
                if (isMember[order[k]]) groupMembers++; else groupNon++;
                k++;
            }
            wins += groupMembers * ((nonMembers - nonAbove - groupNon) + (0.5 * groupNon));
            nonAbove += groupNon;
        }
        return wins / ((double)members * nonMembers);
    }

    /// <summary>max over ROC points of 1 − (FPR + FNR)/2.</summary>
    public static double BalancedAccuracy(RocCurve roc)
    {
        double best = double.NegativeInfinity;
        for (int i = 0; i < roc.Fpr.Length; i++)
            best = Math.Max(best, 1.0 - ((roc.Fpr[i] + (1.0 - roc.Tpr[i])) / 2.0));
        return best;
    }

    /// <summary>max over ROC points of TPR − FPR (the membership advantage).</summary>
    public static double Advantage(RocCurve roc)
    {
        double best = double.NegativeInfinity;
        for (int i = 0; i < roc.Fpr.Length; i++)
            best = Math.Max(best, roc.Tpr[i] - roc.Fpr[i]);
        return best;
    }

    /// <summary>The highest TPR among points with FPR ≤ α, its achieved FPR, a Clopper–Pearson
    /// interval on the TPR at <paramref name="level"/>, and whether α is estimable (NonMembers ≥ 1/α).</summary>
    public static TprAtFpr TprAt(RocCurve roc, double alpha, double level = Bootstrap.DefaultLevel)
    {
        if (!(alpha > 0 && alpha <= 1)) throw new InputException($"FPR level alpha must be in (0, 1], got {alpha}");
        int best = 0; // (0,0) is always admissible
        for (int i = 0; i < roc.Fpr.Length; i++)
            if (roc.Fpr[i] <= alpha + Epsilon && roc.Tpr[i] >= roc.Tpr[best]) best = i;
        double tpr = roc.Tpr[best];
        int successes = (int)Math.Round(tpr * roc.Members);
        return new TprAtFpr(alpha, tpr, roc.Fpr[best], ClopperPearson.Compute(successes, roc.Members, level),
            null, IsEstimable(roc.NonMembers, alpha));
    }

    /// <summary>n_out ≥ 1/α, with a tolerance so that 1000 non-members count at α = 0.001.</summary>
    public static bool IsEstimable(int nonMembers, double alpha) => nonMembers * alpha >= 1.0 - Epsilon;

    internal static (int Members, int NonMembers) Validate(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember)
    {
        if (scores.Length != isMember.Length)
            throw new InputException($"scores has {scores.Length} values but membership has {isMember.Length}");
        int members = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (double.IsNaN(scores[i])) throw new InputException($"score {i} is NaN; drop unscored samples before evaluating");
            if (isMember[i]) members++;
        }
        int nonMembers = scores.Length - members;
        if (members == 0) throw new InputException("cannot evaluate: no members among the scored samples");
        if (nonMembers == 0) throw new InputException("cannot evaluate: no non-members among the scored samples");
        return (members, nonMembers);
    }

    /// <summary>Indices of the scores, highest first (ties in index order).</summary>
    internal static int[] SortDescending(ReadOnlySpan<double> scores)
    {
        var keys = new double[scores.Length];
        var order = new int[scores.Length];
        for (int i = 0; i < scores.Length; i++) { keys[i] = -scores[i]; order[i] = i; }
        Array.Sort(keys, order);
        return order;
    }
}
