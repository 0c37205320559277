using MiaLab.Core.Signals;

namespace MiaLab.Core.Attacks;

/// <summary>How LiRA estimates the Gaussians' deviations.</summary>
public enum LiraVariance
{
    /// <summary>Per sample and query, over its IN / OUT references.</summary>
    PerSample,
    /// <summary>One σ_in (std of every IN value) and one σ_out (std of every OUT value).</summary>
    Global,
    /// <summary>Global below <see cref="Lira.AutoGlobalBelow"/> references per sample, per-sample from there.</summary>
    Auto,
}

/// <param name="Variance">Per-sample, global or auto deviations.</param>
/// <param name="TwoSidedOffline">Offline score −log N(φ_t; μ_out, σ_out) (the published code)
/// instead of the paper's one-sided log Φ((φ_t − μ_out)/σ_out). Also used by online's fallback.</param>
/// <param name="Signal">The statistic φ, oriented so that higher = member; null where the caller gives its own (<see cref="Lira.FromStatistics"/>).</param>
/// <remarks>No defaults here: the attack registry holds each parameter's default (one place).</remarks>
public sealed record LiraOptions(LiraVariance Variance, bool TwoSidedOffline, SignalKind? Signal);

/// <summary>
/// The likelihood-ratio attack (Carlini et al., S&amp;P 2022), ALGORITHMS.md §4.
/// <para>φ = stable logit l_y − logsumexp_{j≠y} l_j (or another signal, turned so that higher =
/// member) of each model, sample and query. For sample x the references that serve it split into
/// IN (trained on x) and OUT; per query, μ = median and σ = population standard deviation (÷n) of
/// φ over each group, σ floored at <see cref="SigmaFloor"/>.</para>
/// <para>Online = mean over queries of log N(φ_t; μ_in, σ_in) − log N(φ_t; μ_out, σ_out).
/// Offline = mean over queries of log Φ((φ_t − μ_out)/σ_out), or −log N(φ_t; μ_out, σ_out) when two-sided.</para>
/// <para>Fewer than 2 IN references: online scores that sample offline (Extras "fallback_offline"
/// counts them). Fewer than 2 OUT references: NaN, listed in Unscored (Extras "unscored_few_out").
/// Holdout samples are never scored. With fixed variance the global σs pool every IN / OUT value of
/// the references over the non-holdout samples and all queries (Extras "sigma_in", "sigma_out");
/// Extras "global_variance" says which estimate ran (1 = global), which auto decides.</para>
/// </summary>
public static class Lira
{
    public const double SigmaFloor = 1e-30;

    /// <summary>Auto variance is global below this many references per sample (the LiRA paper's
    /// advice for few shadow models), per-sample from there.</summary>
    public const int AutoGlobalBelow = 64;

    public static AttackResult Online(ModelOutputs o, int target, IReadOnlyList<int> refs, LiraOptions options) =>
        Online(o, target, ReferenceSet.All(refs), options);

    public static AttackResult Offline(ModelOutputs o, int target, IReadOnlyList<int> refs, LiraOptions options) =>
        Offline(o, target, ReferenceSet.All(refs), options);

    public static AttackResult Online(ModelOutputs o, int target, ReferenceSet refs, LiraOptions options) =>
        Run(o, target, refs, options, online: true);

    public static AttackResult Offline(ModelOutputs o, int target, ReferenceSet refs, LiraOptions options) =>
        Run(o, target, refs, options, online: false);

    /// <summary>"lira-online" / "lira-offline", then "-two-sided" (offline only), then "-fixed-var" (global variance).</summary>
    public static string Name(bool online, LiraOptions opt) =>
        (online ? "lira-online" : "lira-offline")
        + (!online && opt.TwoSidedOffline ? "-two-sided" : "")
        + (opt.Variance == LiraVariance.Global ? "-fixed-var" : "");

    /// <summary>Whether <paramref name="variance"/> means one global deviation with these references
    /// (auto: fewer than <see cref="AutoGlobalBelow"/> per sample).</summary>
    public static bool UsesGlobalVariance(LiraVariance variance, ReferenceSet refs) => variance switch
    {
        LiraVariance.Global => true,
        LiraVariance.PerSample => false,
        _ => (refs.PerSample is int k ? 2 * k : refs.Count) < AutoGlobalBelow,
    };

    private static AttackResult Run(ModelOutputs o, int target, ReferenceSet set, LiraOptions opt, bool online)
    {
        AttackChecks.CheckLabels(o);
        var signal = opt.Signal ?? throw new ArgumentException("LiRA on logits needs a signal", nameof(opt));
        if (signal == SignalKind.Correctness) throw new InputException("LiRA needs a continuous signal, not correctness");
        return FromStatistics(o, target, set, m => Statistic(o, m, signal), opt, online, Name(online, opt));
    }

    /// <summary>LiRA on any per-model statistic φ [N × A], higher = more member-like (<paramref name="statistic"/>
    /// gives it for a model index; <see cref="LiraOptions.Signal"/> is not read). The logit attacks pass
    /// their signal; the image-to-image ones a transform of the reconstruction error.</summary>
    public static AttackResult FromStatistics(IRunMembership o, int target, ReferenceSet set, Func<int, double[]> statistic,
        LiraOptions opt, bool online, string name)
    {
        int[] refs = AttackChecks.References(o, target, set.Models, 2, "LiRA");
        int n = o.Samples, q = o.Augmentations, r = refs.Length;
        bool global = UsesGlobalVariance(opt.Variance, set);

        double[] phiT = statistic(target);
        var phi = new double[r][];
        for (int k = 0; k < r; k++) phi[k] = statistic(refs[k]);
        var keep = new bool[r][];
        for (int k = 0; k < r; k++) keep[k] = o.Keep[refs[k]];

        double globalIn = double.NaN, globalOut = double.NaN;
        if (global)
        {
            (globalIn, globalOut) = PooledDeviations(o, phi, keep, set);
            globalIn = Math.Max(globalIn, SigmaFloor);
            globalOut = Math.Max(globalOut, SigmaFloor);
        }

        var scores = new double[n];
        var status = new byte[n]; // 0 scored as asked, 1 online fell back to offline, 2 too few OUT, 3 holdout
        Parallel.For(0, n, () => (new double[r], new double[r]), (i, _, buf) =>
        {
            var (ins, outs) = buf;
            if (o.Holdout[i]) { scores[i] = double.NaN; status[i] = 3; return buf; }
            int nIn = 0, nOut = 0;
            for (int k = 0; k < r; k++)
                if (set.Serves(k, i)) { if (keep[k][i]) nIn++; else nOut++; }
            if (nOut < 2) { scores[i] = double.NaN; status[i] = 2; return buf; }
            bool useOnline = online && nIn >= 2;
            if (online && !useOnline) status[i] = 1;

            double sum = 0;
            for (int a = 0; a < q; a++)
            {
                int row = (i * q) + a;
                int ci = 0, co = 0;
                for (int k = 0; k < r; k++)
                {
                    if (!set.Serves(k, i)) continue;
                    if (keep[k][i]) ins[ci++] = phi[k][row];
                    else outs[co++] = phi[k][row];
                }
                double x = phiT[row];
                var (muOut, sdOut) = MedianAndDeviation(outs.AsSpan(0, co));
                if (global) sdOut = globalOut;
                sdOut = Math.Max(sdOut, SigmaFloor);
                if (useOnline)
                {
                    var (muIn, sdIn) = MedianAndDeviation(ins.AsSpan(0, ci));
                    if (global) sdIn = globalIn;
                    sdIn = Math.Max(sdIn, SigmaFloor);
                    sum += Gaussian.LogPdf(x, muIn, sdIn) - Gaussian.LogPdf(x, muOut, sdOut);
                }
                else if (opt.TwoSidedOffline)
                {
                    sum -= Gaussian.LogPdf(x, muOut, sdOut);
                }
                else
                {
                    sum += Gaussian.LogCdf((x - muOut) / sdOut);
                }
            }
            scores[i] = sum / q;
            return buf;
        }, _ => { });

        var unscored = new List<int>();
        int fallback = 0, fewOut = 0;
        for (int i = 0; i < n; i++)
        {
            if (status[i] == 1) fallback++;
            if (status[i] == 2) fewOut++;
            if (status[i] >= 2) unscored.Add(i);
        }
        var extras = new Dictionary<string, double>
        {
            ["references"] = r,
            ["unscored_few_out"] = fewOut,
            ["global_variance"] = global ? 1 : 0,
        };
        if (online) extras["fallback_offline"] = fallback;
        if (online && opt.TwoSidedOffline) extras["fallback_two_sided"] = 1;
        if (global) { extras["sigma_in"] = globalIn; extras["sigma_out"] = globalOut; }
        return new AttackResult(name, scores, [.. unscored], extras);
    }

    /// <summary>NumPy's median (mean of the two middle values for an even count) and the population
    /// standard deviation; sorts <paramref name="values"/> in place.</summary>
    internal static (double Median, double Deviation) MedianAndDeviation(Span<double> values)
    {
        int n = values.Length;
        if (n == 0) return (double.NaN, double.NaN);
        values.Sort();
        double median = n % 2 == 1 ? values[n / 2] : 0.5 * (values[(n / 2) - 1] + values[n / 2]);
        double mean = 0;
        foreach (double v in values) mean += v;
        mean /= n;
        double ss = 0;
        foreach (double v in values) ss += (v - mean) * (v - mean);
        return (median, Math.Sqrt(ss / n));
    }

    /// <summary>φ of one model for every sample and query, turned so that higher = member.</summary>
    private static double[] Statistic(ModelOutputs o, int model, SignalKind kind)
    {
        // ModelOutputs computes each model's signal once for every target's pass and shares the
        // array: a signal where lower means member is negated into a copy, never in place.
        double[] v = o.SignalOf(kind, model);
        if (Signal.ToMemberScore(kind, 1.0) >= 0) return v;
        var negated = new double[v.Length];
        for (int k = 0; k < v.Length; k++) negated[k] = -v[k];
        return negated;
    }

    /// <summary>Population standard deviation of every IN value and of every OUT value of the
    /// references (where they serve the sample), over the non-holdout samples and all queries (two passes).</summary>
    private static (double In, double Out) PooledDeviations(IRunMembership o, double[][] phi, bool[][] keep, ReferenceSet set)
    {
        int q = o.Augmentations;
        double sumIn = 0, sumOut = 0;
        long nIn = 0, nOut = 0;
        for (int k = 0; k < phi.Length; k++)
            for (int i = 0; i < o.Samples; i++)
            {
                if (o.Holdout[i] || !set.Serves(k, i)) continue;
                for (int a = 0; a < q; a++)
                {
                    double v = phi[k][(i * q) + a];
                    if (keep[k][i]) { sumIn += v; nIn++; } else { sumOut += v; nOut++; }
                }
            }
        double meanIn = sumIn / nIn, meanOut = sumOut / nOut;
        double ssIn = 0, ssOut = 0;
        for (int k = 0; k < phi.Length; k++)
            for (int i = 0; i < o.Samples; i++)
            {
                if (o.Holdout[i] || !set.Serves(k, i)) continue;
                for (int a = 0; a < q; a++)
                {
                    double v = phi[k][(i * q) + a];
                    if (keep[k][i]) ssIn += (v - meanIn) * (v - meanIn);
                    else ssOut += (v - meanOut) * (v - meanOut);
                }
            }
        return (nIn > 0 ? Math.Sqrt(ssIn / nIn) : double.NaN, nOut > 0 ? Math.Sqrt(ssOut / nOut) : double.NaN);
    }
}
