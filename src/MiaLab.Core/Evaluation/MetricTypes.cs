namespace MiaLab.Core.Evaluation;

// The results of evaluating one attack's scores against the true membership (ALGORITHMS.md §7).
// Plain data: the report, metrics.json and the CLI tables all read these.

public readonly record struct Interval(double Low, double High);

/// <summary>ROC points from (0,0) to (1,1), one per distinct score (ties form one step).
/// Thresholds[i] is the score at or above which point i predicts "member" (+∞ for the first point).</summary>
public sealed record RocCurve(double[] Fpr, double[] Tpr, double[] Thresholds, int Members, int NonMembers);

/// <summary>The highest TPR among ROC points with FPR ≤ Alpha. Not estimable when
/// NonMembers &lt; 1/Alpha (then only FPR = 0 is admissible). Ci is the Clopper–Pearson interval,
/// BootstrapCi the bootstrap percentile one, both at the evaluation's confidence level.</summary>
public sealed record TprAtFpr(double Alpha, double Tpr, double AchievedFpr, Interval Ci, Interval? BootstrapCi, bool Estimable);

public sealed record ClassMetrics(long Label, int Members, int NonMembers, double Auc, double BalancedAccuracy, double Advantage);

public sealed record AttackMetrics(
    double Auc,
    Interval? AucCi,
    double BalancedAccuracy,
    double Advantage,
    IReadOnlyDictionary<string, TprAtFpr> TprAtFpr,
    IReadOnlyList<ClassMetrics> PerClass,
    int Members,
    int NonMembers,
    int Unscored)
{
    /// <summary>The level of every interval in these metrics.</summary>
    public double ConfidenceLevel { get; init; } = 0.95;
    /// <summary>The bootstrap resamples the intervals rest on (0 = none); fewer than asked when the
    /// sample was too large for the asked number to finish in minutes (see <see cref="EvaluationOptions.MaxBootstrapDraws"/>).</summary>
    public int BootstrapResamples { get; init; }

    /// <summary>The empirical ε lower bound (ALGORITHMS.md §7): thresholds chosen on one half of the
    /// samples, the bound computed on the other; null for pooled evaluations.</summary>
    public EpsilonBound? EmpiricalEpsilon { get; init; }
}
