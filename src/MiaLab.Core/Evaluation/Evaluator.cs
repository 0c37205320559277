using System.Globalization;

namespace MiaLab.Core.Evaluation;

/// <summary>How to evaluate: bootstrap resamples (0 = no bootstrap intervals), the bootstrap
/// seed, and whether to add per-class slices when labels are given.</summary>
public sealed record EvaluationOptions(int BootstrapResamples = 1000, int Seed = 0, bool PerClass = true)
{
    /// <summary>The most draws (resamples × scored samples) a bootstrap may take: about two minutes of
    /// both cores of the reference machine. Above it the resamples are reduced (to no fewer than
    /// <see cref="MinReducedResamples"/>), and the metrics record how many were used.</summary>
    public long MaxBootstrapDraws { get; init; } = 4_000_000_000;

    public const int MinReducedResamples = 100;

    /// <summary>The resamples a bootstrap of <paramref name="samples"/> scored samples uses.</summary>
    public int ResamplesFor(int samples) =>
        BootstrapResamples == 0 || (long)BootstrapResamples * samples <= MaxBootstrapDraws ? BootstrapResamples
        : (int)Math.Max(Math.Min(BootstrapResamples, MinReducedResamples), MaxBootstrapDraws / Math.Max(samples, 1));

    /// <summary>The FPR levels α at which TPR is reported.</summary>
    public IReadOnlyList<double> Alphas { get; init; } = Evaluator.Alphas;

    /// <summary>The confidence level of every interval (bootstrap percentile and Clopper–Pearson).</summary>
    public double ConfidenceLevel { get; init; } = Bootstrap.DefaultLevel;
}

/// <summary>Turns one attack's scores and the true membership into <see cref="AttackMetrics"/> (ALGORITHMS.md §7).</summary>
public static class Evaluator
{
    public static readonly double[] Alphas = [0.1, 0.01, 0.001, 0.0001];

    /// <summary>The metrics.json key of an FPR level: "0.1", "0.01", "0.001", "0.0001".</summary>
    public static string AlphaKey(double alpha) => alpha.ToString("0.##########", CultureInfo.InvariantCulture);

    /// <summary>Evaluates one target's scores. NaN scores are unscored: dropped and counted in
    /// <see cref="AttackMetrics.Unscored"/>. Labels (optional, same length) give per-class slices
    /// for every class with at least one scored member and one scored non-member.</summary>
    public static AttackMetrics Evaluate(double[] scores, bool[] isMember, long[]? labels, EvaluationOptions options,
        Action<int, int>? onResample = null) =>
        EvaluateWithRoc(scores, isMember, labels, options, onResample).Metrics;

    /// <summary>As <see cref="Evaluate"/>, also returning the ROC of the scored samples that the
    /// metrics were read from (the report plots it).</summary>
    public static (RocCurve Roc, AttackMetrics Metrics) EvaluateWithRoc(double[] scores, bool[] isMember, long[]? labels, EvaluationOptions options,
        Action<int, int>? onResample = null)
    {
        if (scores.Length != isMember.Length)
            throw new InputException($"scores has {scores.Length} values but membership has {isMember.Length}");
        if (labels is not null && labels.Length != scores.Length)
            throw new InputException($"labels has {labels.Length} values but scores has {scores.Length}");
        if (options.BootstrapResamples < 0)
            throw new InputException($"bootstrap resamples must be ≥ 0, got {options.BootstrapResamples}");
        if (!(options.ConfidenceLevel > 0 && options.ConfidenceLevel < 1))
            throw new InputException($"confidence level must be in (0, 1), got {options.ConfidenceLevel}");

        var (s, y, l, unscored) = DropUnscored(scores, isMember, labels);
        var (roc, metrics) = Core(s, y, options, unscored, onResample);
        metrics = metrics with { EmpiricalEpsilon = EmpiricalEpsilon.HeldOut(s, y, options.Seed) };
        if (l is not null && options.PerClass)
            metrics = metrics with { PerClass = PerClassSlices(s, y, l) };
        return (roc, metrics);
    }

    /// <summary>The LiRA protocol: every model serves as the target in turn, and one ROC is
    /// drawn over the concatenation of all targets' (scores, membership).</summary>
    public static (RocCurve Roc, AttackMetrics Metrics) EvaluatePooled(
        IReadOnlyList<(double[] Scores, bool[] IsMember)> perTarget, EvaluationOptions options)
    {
        if (perTarget.Count == 0) throw new InputException("pooled evaluation needs at least one target");
        int total = 0;
        foreach (var (sc, mem) in perTarget)
        {
            if (sc.Length != mem.Length)
                throw new InputException($"a target has {sc.Length} scores but {mem.Length} membership values");
            total += sc.Length;
        }
        var scores = new double[total];
        var isMember = new bool[total];
        int offset = 0;
        foreach (var (sc, mem) in perTarget)
        {
            sc.CopyTo(scores, offset);
            mem.CopyTo(isMember, offset);
            offset += sc.Length;
        }
        return EvaluateWithRoc(scores, isMember, null, options);
    }

    private static (RocCurve Roc, AttackMetrics Metrics) Core(double[] s, bool[] y, EvaluationOptions options, int unscored, Action<int, int>? onResample)
    {
        var roc = Roc.Compute(s, y);
        double auc = Roc.Auc(s, y);
        var alphas = options.Alphas;
        int resamples = options.ResamplesFor(s.Length);
        BootstrapDistribution? boot = resamples > 0 ? Bootstrap.Run(s, y, alphas, resamples, options.Seed, onResample: onResample) : null;
        var tprs = new Dictionary<string, TprAtFpr>();
        for (int j = 0; j < alphas.Count; j++)
        {
            var t = Roc.TprAt(roc, alphas[j], options.ConfidenceLevel);
            if (boot is not null) t = t with { BootstrapCi = boot.TprCi(j, options.ConfidenceLevel) };
            tprs[AlphaKey(alphas[j])] = t;
        }
        return (roc, new AttackMetrics(auc, boot?.AucCi(options.ConfidenceLevel), Roc.BalancedAccuracy(roc), Roc.Advantage(roc), tprs,
            [], roc.Members, roc.NonMembers, unscored)
        { ConfidenceLevel = options.ConfidenceLevel, BootstrapResamples = resamples });
    }

    private static List<ClassMetrics> PerClassSlices(double[] s, bool[] y, long[] labels)
    {
        var result = new List<ClassMetrics>();
        foreach (var group in Enumerable.Range(0, s.Length).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            int[] idx = group.ToArray();
            int members = idx.Count(i => y[i]);
            if (members == 0 || members == idx.Length) continue;
            double[] cs = idx.Select(i => s[i]).ToArray();
            bool[] cy = idx.Select(i => y[i]).ToArray();
            var roc = Roc.Compute(cs, cy);
            result.Add(new ClassMetrics(group.Key, members, idx.Length - members, Roc.Auc(cs, cy),
                Roc.BalancedAccuracy(roc), Roc.Advantage(roc)));
        }
        return result;
    }

    private static (double[] Scores, bool[] IsMember, long[]? Labels, int Unscored) DropUnscored(
        double[] scores, bool[] isMember, long[]? labels)
    {
        int kept = 0;
        foreach (double v in scores) if (!double.IsNaN(v)) kept++;
        if (kept == scores.Length) return (scores, isMember, labels, 0);
        var s = new double[kept];
        var y = new bool[kept];
        var l = labels is null ? null : new long[kept];
        int k = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (double.IsNaN(scores[i])) continue;
            s[k] = scores[i];
            y[k] = isMember[i];
            if (l is not null) l[k] = labels![i];
            k++;
        }
        return (s, y, l, scores.Length - kept);
    }
}
