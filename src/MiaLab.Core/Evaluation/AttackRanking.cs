namespace MiaLab.Core.Evaluation;

/// <summary>
/// The one definition of "the strongest attack", used by the CLI's tables, the report and the
/// studies: the highest TPR at 0.1% FPR (a value that is not estimable ranks below every estimable
/// one); among equals — and when 0.1% is not estimable, as with fewer than 1,000 non-members — the
/// highest TPR at 1%, then at 10% FPR (each not-estimable last); then the highest AUC; then the
/// name, for a stable order.
/// </summary>
public static class AttackRanking
{
    /// <summary>The FPR levels reported everywhere: 10%, 1%, 0.1%, 0.01%.</summary>
    public static IReadOnlyList<double> Levels => Evaluator.Alphas;

    /// <summary>The level attacks are ranked by first (0.1% FPR).</summary>
    public const double RankingLevel = 0.001;

    /// <summary>The levels that rank attacks, in order of precedence.</summary>
    public static IReadOnlyList<double> RankingLevels { get; } = [0.001, 0.01, 0.1];

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
            .OrderByDescending(a => RankKey(metrics(a), RankingLevels[0]))
            .ThenByDescending(a => RankKey(metrics(a), RankingLevels[1]))
            .ThenByDescending(a => RankKey(metrics(a), RankingLevels[2]))
            .ThenByDescending(a => double.IsNaN(metrics(a).Auc) ? double.NegativeInfinity : metrics(a).Auc)
            .ThenBy(name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The strongest item, or default when there is none.</summary>
    public static T? Strongest<T>(IEnumerable<T> items, Func<T, AttackMetrics> metrics, Func<T, string> name) =>
        Rank(items, metrics, name).FirstOrDefault();

    private static double RankKey(AttackMetrics m, double level)
    {
        TprAtFpr? t = Find(m, level);
        return t is { Estimable: true } && !double.IsNaN(t.Tpr) ? t.Tpr : -1.0;
    }
}
