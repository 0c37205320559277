using MiaLab.Core.Evaluation;

namespace MiaLab.Reports;

/// <summary>The FPR levels the report shows and how attacks are ranked.</summary>
public static class AttackRanking
{
    /// <summary>The FPR levels of the attacks table: 10%, 1%, 0.1%, 0.01%.</summary>
    public static IReadOnlyList<double> Levels => Evaluator.Alphas;

    /// <summary>The level attacks are ranked by (0.1% FPR).</summary>
    public const double RankingLevel = 0.001;

    /// <summary>Finds the TPR-at-FPR entry for <paramref name="alpha"/>, whatever the dictionary key spelling.</summary>
    public static TprAtFpr? Find(AttackMetrics metrics, double alpha)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (TprAtFpr entry in metrics.TprAtFpr.Values)
        {
            if (Math.Abs(entry.Alpha - alpha) <= 1e-9 * Math.Max(1.0, alpha))
            {
                return entry;
            }
        }
        return null;
    }

    /// <summary>Orders attacks strongest first: by TPR at 0.1% FPR (a value that is not estimable ranks
    /// below every estimable one), then by AUC, then by name for a stable order.</summary>
    public static IReadOnlyList<AttackReport> Rank(IEnumerable<AttackReport> attacks)
    {
        ArgumentNullException.ThrowIfNull(attacks);
        return attacks
            .OrderByDescending(a => RankKey(a))
            .ThenByDescending(a => double.IsNaN(a.Metrics.Auc) ? double.NegativeInfinity : a.Metrics.Auc)
            .ThenBy(a => a.Name, StringComparer.Ordinal)
            .ToList();
    }

    private static double RankKey(AttackReport attack)
    {
        TprAtFpr? t = Find(attack.Metrics, RankingLevel);
        return t is { Estimable: true } && !double.IsNaN(t.Tpr) ? t.Tpr : -1.0;
    }
}
