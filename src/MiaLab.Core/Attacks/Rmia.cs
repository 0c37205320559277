using MiaLab.Core.Signals;
using MiaLab.Core.Evaluation;

namespace MiaLab.Core.Attacks;

/// <param name="Online">Use IN and OUT references (true) or OUT references only (false).</param>
/// <param name="Gamma">γ &gt; 0: a pair (x, z) counts when ratio(x)/ratio(z) &gt; γ.</param>
/// <param name="OfflineA">Offline's a ∈ [0, 1]; null = chosen automatically (grid 0, 0.1, …, 1).</param>
/// <param name="Temperature">T &gt; 0: Pr(x|θ) = softmax(l / T)_y.</param>
/// <param name="TrimmedMean">Average each reference group with 20% cut from each side.</param>
/// <remarks>No defaults here: the attack registry holds each parameter's default (one place), and
/// every caller says what it runs.</remarks>
public sealed record RmiaOptions(bool Online, double Gamma, double? OfflineA, double Temperature, bool TrimmedMean);

/// <summary>
/// The robust membership inference attack (Zarifzadeh, Liu, Shokri, ICML 2024), ALGORITHMS.md §5.
/// <para>Pr(x|θ) = softmax(l/T)_y. Pr(x): online = ½(mean over IN refs + mean over OUT refs) (only
/// the group that exists when one is empty); offline = ½((1+a)·mean_OUT + (1−a)). ratio(x) =
/// Pr(x|θ_t)/Pr(x). Population Z = the holdout samples if there are any, else the samples outside the
/// target's training set; x itself is left out of Z. Score(x) = fraction of z ∈ Z with
/// ratio(x)/ratio(z) &gt; γ, averaged over queries (this average replaces the paper's per-pair
/// majority vote over queries).</para>
/// <para>Everything is in the log domain: the pair test is evaluated as
/// log ratio(z) &lt; log ratio(x) − log γ, identically in the sorted count and in
/// <see cref="BruteForceScores"/>. The count sorts Z's log-ratios once per query and binary-searches
/// each candidate: O((N + |Z|) log |Z|) time, O(N + |Z|) memory per query.</para>
/// <para>Unscored: holdout samples; offline, samples without any OUT reference (no Pr(x); they also
/// leave Z); candidates whose Z would be empty.</para>
/// </summary>
public static class Rmia
{
    /// <summary>Share of each reference group cut from each side by the trimmed mean.</summary>
    public const double TrimFraction = 0.2;

    public static AttackResult Run(ModelOutputs o, int target, IReadOnlyList<int> refs, RmiaOptions options) =>
        Run(o, target, ReferenceSet.All(refs), options);

    public static AttackResult Run(ModelOutputs o, int target, ReferenceSet refs, RmiaOptions options)
    {
        AttackChecks.CheckLabels(o);
        return FromLogProbabilities(o, target, refs, m => LogProbabilities(o, m, options.Temperature), options,
            options.Online ? "rmia-online" : "rmia-offline");
    }

    /// <summary>RMIA on any per-model log Pr(x|θ) [N × A] (<paramref name="logPr"/> gives it for a model
    /// index): the logit attack passes log softmax(l/T)_y, the image-to-image ones a likelihood of the
    /// reconstruction error.</summary>
    public static AttackResult FromLogProbabilities(IRunMembership o, int target, ReferenceSet refs, Func<int, double[]> logPr,
        RmiaOptions options, string name)
    {
        var setup = Prepare(o, target, refs, options, logPr);
        double a = ResolveA(o, setup, options);
        var (lr, candidates, population) = LogRatios(o, setup, target, refs, options, a);
        double[] scores = CountScores(lr, o.Augmentations, candidates, population, options.Gamma);

        var unscored = new List<int>();
        for (int i = 0; i < scores.Length; i++)
            if (double.IsNaN(scores[i])) unscored.Add(i);
        int z = 0;
        foreach (bool p in population) if (p) z++;
        var extras = new Dictionary<string, double>
        {
            ["gamma"] = options.Gamma,
            ["temperature"] = options.Temperature,
            ["references"] = refs.Count,
            ["population"] = z,
        };
        if (!options.Online) extras["offline_a"] = a;
        return new AttackResult(name, scores, [.. unscored], extras);
    }

    /// <summary>The same scores as <see cref="Run(ModelOutputs, int, IReadOnlyList{int}, RmiaOptions)"/>, from the
    /// pairwise definition with a double loop over candidates and population (O(N·|Z|) time; for tests and benchmarks).</summary>
    public static double[] BruteForceScores(ModelOutputs o, int target, IReadOnlyList<int> refs, RmiaOptions options)
    {
        AttackChecks.CheckLabels(o);
        var set = ReferenceSet.All(refs);
        var setup = Prepare(o, target, set, options, m => LogProbabilities(o, m, options.Temperature));
        double a = ResolveA(o, setup, options);
        var (lr, candidates, population) = LogRatios(o, setup, target, set, options, a);
        return BruteForceCountScores(lr, o.Augmentations, candidates, population, options.Gamma);
    }

    /// <summary>
    /// Score(x) = mean over queries of |{z ∈ Z, z ≠ x : lr[z] &lt; lr[x] − log γ}| / |Z \ {x}| for each
    /// candidate x (NaN for non-candidates, a NaN log-ratio, or an empty Z \ {x}), where lr = log-ratios
    /// [N × queries] (element i·queries + a), Z = the population samples.
    /// Sorted count with binary search.
    /// </summary>
    public static double[] CountScores(double[] logRatios, int queries, bool[] candidates, bool[] population, double gamma)
    {
        int n = CheckCounting(logRatios, queries, candidates, population, gamma);
        double logGamma = Math.Log(gamma);
        var scores = new double[n];
        for (int i = 0; i < n; i++) scores[i] = candidates[i] ? 0.0 : double.NaN;
        var sorted = new double[CountTrue(population)];
        for (int a = 0; a < queries; a++)
        {
            int z = 0;
            for (int i = 0; i < n; i++)
                if (population[i]) sorted[z++] = logRatios[(i * queries) + a];
            Array.Sort(sorted);
            void One(int i)
            {
                if (!candidates[i]) return;
                double x = logRatios[(i * queries) + a];
                double t = x - logGamma;
                int count = LowerBound(sorted, t);
                int denominator = sorted.Length;
                if (population[i])
                {
                    denominator--;
                    if (x < t) count--;
                }
                scores[i] += denominator > 0 && !double.IsNaN(x) ? (double)count / denominator : double.NaN;
            }
            if (n >= 4096) Parallel.For(0, n, One);
            else for (int i = 0; i < n; i++) One(i);
        }
        for (int i = 0; i < n; i++) scores[i] /= queries;
        return scores;
    }

    /// <summary><see cref="CountScores"/> by the double loop over every (x, z) pair.</summary>
    public static double[] BruteForceCountScores(double[] logRatios, int queries, bool[] candidates, bool[] population, double gamma)
    {
        int n = CheckCounting(logRatios, queries, candidates, population, gamma);
        double logGamma = Math.Log(gamma);
        var scores = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!candidates[i]) { scores[i] = double.NaN; continue; }
            double sum = 0;
            for (int a = 0; a < queries; a++)
            {
                double x = logRatios[(i * queries) + a];
                double t = x - logGamma;
                int count = 0, size = 0;
                for (int j = 0; j < n; j++)
                {
                    if (!population[j] || j == i) continue;
                    size++;
                    if (logRatios[(j * queries) + a] < t) count++;
                }
                sum += size > 0 && !double.IsNaN(x) ? (double)count / size : double.NaN;
            }
            scores[i] = sum / queries;
        }
        return scores;
    }

    // ---------------------------------------------------------------------------------------------

    /// <summary>log Pr(x|θ) [N × A] of the target and of every reference (by model index; null for other models).</summary>
    private sealed record Setup(ReferenceSet Refs, double[]?[] LogPr);

    private static Setup Prepare(IRunMembership o, int target, ReferenceSet refs, RmiaOptions opt, Func<int, double[]> logProbabilities)
    {
        int[] r = AttackChecks.References(o, target, refs.Models, 1, "RMIA");
        if (!(opt.Gamma > 0) || double.IsPositiveInfinity(opt.Gamma))
            throw new InputException($"RMIA gamma must be a positive number, got {opt.Gamma}");
        if (!(opt.Temperature > 0) || double.IsPositiveInfinity(opt.Temperature))
            throw new InputException($"RMIA temperature must be a positive number, got {opt.Temperature}");
        if (opt.OfflineA is double a && !(a >= 0 && a <= 1))
            throw new InputException($"RMIA offline a must be in [0, 1], got {a}");
        if (!opt.Online && opt.OfflineA is null && r.Length < 2)
            throw new InputException($"RMIA offline a = auto needs at least 2 reference models, got {r.Length}");
        var logPr = new double[]?[o.Models];
        logPr[target] = logProbabilities(target);
        foreach (int m in r) logPr[m] = logProbabilities(m);
        return new Setup(refs, logPr);
    }

    /// <summary>log softmax(l/T)_y for every sample and query of one model.</summary>
    private static double[] LogProbabilities(ModelOutputs o, int model, double temperature)
    {
        int n = o.Samples, q = o.Augmentations, c = o.Classes;
        var result = new double[n * q];
        float[] logits = o.Logits[model];
        void One(int i)
        {
            int y = (int)o.Labels[i];
            for (int a = 0; a < q; a++)
            {
                int row = (i * q) + a;
                result[row] = Signal.LogSoftmaxAt(new ReadOnlySpan<float>(logits, row * c, c), y, temperature);
            }
        }
        if (n >= 4096) Parallel.For(0, n, One);
        else for (int i = 0; i < n; i++) One(i);
        return result;
    }

    /// <summary>The log-ratios [N × A] of attacking <paramref name="target"/> (the real target, or a
    /// reference in a tuning attack) with <paramref name="refs"/>, with the candidates and the population.</summary>
    private static (double[] LogRatios, bool[] Candidates, bool[] Population) LogRatios(
        IRunMembership o, Setup setup, int target, ReferenceSet refs, RmiaOptions opt, double a)
    {
        int n = o.Samples, q = o.Augmentations;
        double[] logPrT = setup.LogPr[target]!;
        var logPr = new double[refs.Count][];
        var keep = new bool[refs.Count][];
        for (int k = 0; k < refs.Count; k++)
        {
            logPr[k] = setup.LogPr[refs.Models[k]]!;
            keep[k] = o.Keep[refs.Models[k]];
        }

        double[] logPrX = opt.Online
            ? OnlineLogPrX(logPr, keep, refs, n, q, opt.TrimmedMean)
            : OfflineLogPrX(GroupLogMean(logPr, keep, refs, n, q, members: false, opt.TrimmedMean), a);
        var lr = new double[n * q];
        for (int k = 0; k < lr.Length; k++) lr[k] = logPrT[k] - logPrX[k];

        bool anyHoldout = Array.IndexOf(o.Holdout, true) >= 0;
        var candidates = new bool[n];
        var population = new bool[n];
        for (int i = 0; i < n; i++)
        {
            bool valid = true;
            for (int b = 0; b < q; b++) if (double.IsNaN(lr[(i * q) + b])) valid = false;
            candidates[i] = valid && !o.Holdout[i];
            population[i] = valid && (anyHoldout ? o.Holdout[i] : !o.Keep[target][i]);
        }
        return (lr, candidates, population);
    }

    private static double[] OnlineLogPrX(double[][] logPr, bool[][] keep, ReferenceSet refs, int n, int q, bool trimmed)
    {
        double[] logIn = GroupLogMean(logPr, keep, refs, n, q, members: true, trimmed);
        double[] logOut = GroupLogMean(logPr, keep, refs, n, q, members: false, trimmed);
        var result = new double[n * q];
        for (int k = 0; k < result.Length; k++)
        {
            bool hasIn = !double.IsNaN(logIn[k]), hasOut = !double.IsNaN(logOut[k]);
            result[k] = hasIn && hasOut ? LogAddExp(logIn[k], logOut[k]) - Math.Log(2)
                : hasIn ? logIn[k] : logOut[k];
        }
        return result;
    }

    /// <summary>log(½((1+a)·mean_OUT + (1−a))); NaN where there is no OUT reference.</summary>
    private static double[] OfflineLogPrX(double[] logMeanOut, double a)
    {
        double logOnePlus = Math.Log(1 + a), logOneMinus = Math.Log(1 - a), log2 = Math.Log(2);
        var result = new double[logMeanOut.Length];
        for (int k = 0; k < result.Length; k++)
            result[k] = double.IsNaN(logMeanOut[k]) ? double.NaN : LogAddExp(logOnePlus + logMeanOut[k], logOneMinus) - log2;
        return result;
    }

    /// <summary>Per sample and query, log of the (optionally 20%-trimmed) mean of Pr over the
    /// references serving the sample that did (members = true) or did not train on it; NaN for an empty group.</summary>
    private static double[] GroupLogMean(double[][] logPr, bool[][] keep, ReferenceSet refs, int n, int q, bool members, bool trimmed)
    {
        int r = logPr.Length;
        var result = new double[n * q];
        Parallel.For(0, n, () => new double[r], (i, _, buf) =>
        {
            for (int a = 0; a < q; a++)
            {
                int row = (i * q) + a, count = 0;
                for (int k = 0; k < r; k++)
                    if (keep[k][i] == members && refs.Serves(k, i)) buf[count++] = logPr[k][row];
                if (count == 0) { result[row] = double.NaN; continue; }
                var values = buf.AsSpan(0, count);
                if (trimmed)
                {
                    values.Sort(); // log is monotone, so this orders the probabilities
                    int cut = (int)Math.Floor(TrimFraction * count);
                    values = values.Slice(cut, count - (2 * cut));
                }
                double max = double.NegativeInfinity;
                foreach (double v in values) if (v > max) max = v;
                double sum = 0;
                foreach (double v in values) sum += Math.Exp(v - max);
                result[row] = max + Math.Log(sum / values.Length);
            }
            return buf;
        }, _ => { });
        return result;
    }

    /// <summary>Offline a: the given one, or (auto) the grid value 0, 0.1, …, 1 whose tuning attack
    /// has the highest AUC (smallest a on ties).</summary>
    private static double ResolveA(IRunMembership o, Setup setup, RmiaOptions opt)
    {
        if (opt.Online) return opt.OfflineA ?? double.NaN;
        if (opt.OfflineA is double given) return given;
        double bestA = double.NaN, bestAuc = double.NegativeInfinity;
        for (int step = 0; step <= 10; step++)
        {
            double a = step / 10.0;
            if (TuningAuc(o, setup, opt, a) is double auc && auc > bestAuc) { bestAuc = auc; bestA = a; }
        }
        if (double.IsNaN(bestA))
            throw new InputException($"RMIA offline a = auto failed: reference model {setup.Refs.Models[0]} has no scorable members and non-members");
        return bestA;
    }

    /// <summary>Offline RMIA with this a against the first reference, with the others, scored by AUC
    /// on that reference's own membership; null without scorable members and non-members.</summary>
    private static double? TuningAuc(IRunMembership o, Setup setup, RmiaOptions opt, double a)
    {
        int pseudo = setup.Refs.Models[0];
        var tuning = setup.Refs.WithoutFirst(o);
        var (lr, candidates, population) = LogRatios(o, setup, pseudo, tuning, opt, a);
        double[] s = CountScores(lr, o.Augmentations, candidates, population, opt.Gamma);
        var scores = new List<double>();
        var member = new List<bool>();
        bool anyIn = false, anyOut = false;
        for (int i = 0; i < s.Length; i++)
        {
            if (double.IsNaN(s[i])) continue;
            scores.Add(s[i]);
            member.Add(o.Keep[pseudo][i]);
            if (o.Keep[pseudo][i]) anyIn = true; else anyOut = true;
        }
        return anyIn && anyOut ? Roc.Auc(scores.ToArray(), member.ToArray()) : null;
    }

    private static double LogAddExp(double x, double y)
    {
        if (double.IsNegativeInfinity(x)) return y;
        if (double.IsNegativeInfinity(y)) return x;
        double max = Math.Max(x, y);
        return max + Math.Log(Math.Exp(x - max) + Math.Exp(y - max));
    }

    /// <summary>First index k with sorted[k] ≥ t (= the number of values below t).</summary>
    private static int LowerBound(double[] sorted, double t)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < t) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static int CountTrue(bool[] v)
    {
        int c = 0;
        foreach (bool b in v) if (b) c++;
        return c;
    }

    private static int CheckCounting(double[] logRatios, int queries, bool[] candidates, bool[] population, double gamma)
    {
        int n = candidates.Length;
        if (queries < 1) throw new InputException($"need at least 1 query, got {queries}");
        if (population.Length != n) throw new InputException($"population has {population.Length} flags but candidates has {n}");
        if (logRatios.Length != (long)n * queries)
            throw new InputException($"log-ratios have {logRatios.Length} values, expected N×queries = {n}×{queries}");
        if (!(gamma > 0) || double.IsPositiveInfinity(gamma)) throw new InputException($"RMIA gamma must be a positive number, got {gamma}");
        for (int i = 0; i < n; i++)
            if (population[i])
                for (int a = 0; a < queries; a++)
                    if (double.IsNaN(logRatios[(i * queries) + a]))
                        throw new InputException($"population sample {i} has a NaN log-ratio");
        return n;
    }
}
