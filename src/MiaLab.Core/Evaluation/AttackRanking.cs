namespace MiaLab.Core.Evaluation;

/// <summary>
/// The one definition of "the strongest attack", used by the CLI's tables, the report and the
/// studies: the highest TPR at 0.1% FPR (a value that is not estimable ranks below every estimable
/// one), then the highest AUC, then the name, for a stable order.
/// </summary>
public static class AttackRanking
{
    /// <summary>The FPR levels reported everywhere: 10%, 1%, 0.1%, 0.01%.</summary>
    public static IReadOnlyList<double> Levels => Evaluator.Alphas;

    /// <summary>The level attacks are ranked by (0.1% FPR).</summary>
    public const double RankingLevel = 0.001;

    /// <summary>The TPR-at-FPR entry for <paramref name="alpha"/>, whatever the dictionary key spelling.</summary>
    public static TprAtFpr? Find(AttackMetrics metrics, double alpha)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (TprAtFpr entry in metrics.TprAtFpr.Values)
            if (Math.Abs(entry.Alpha - alpha) <= 1e-9 * Math.Max(1.0, alpha))
                return entry;
        return null;
    }

    /// <summary>The items strongest first.</summary>
    public static IReadOnlyList<T> Rank<T>(IEnumerable<T> items, Func<T, AttackMetrics> metrics, Func<T, string> name)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items
            .OrderByDescending(a => RankKey(metrics(a)))
            .ThenByDescending(a => double.IsNaN(metrics(a).Auc) ? double.NegativeInfinity : metrics(a).Auc)
            .ThenBy(name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The strongest item, or default when there is none.</summary>
    public static T? Strongest<T>(IEnumerable<T> items, Func<T, AttackMetrics> metrics, Func<T, string> name) =>
        Rank(items, metrics, name).FirstOrDefault();

    private static double RankKey(AttackMetrics m)
    {
        TprAtFpr? t = Find(m, RankingLevel);
        return t is { Estimable: true } && !double.IsNaN(t.Tpr) ? t.Tpr : -1.0;
    }
}
