using MiaLab.Core.Randomness;
using MiaLab.Core;
using MiaLab.Core.Attacks;
using MiaLab.Core.Models;
using MiaLab.Core.Data;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Mint;
using MiaLab.Core.Runs;
using MiaLab.Torch.Models;

namespace MiaLab.Torch.Mint;

/// <summary>The used (D) and unused (E) samples, each split into MINT-train and MINT-eval; indices
/// into the run's samples, ascending.</summary>
public sealed record MintSplit(int[] UsedTrain, int[] UsedEval, int[] UnusedTrain, int[] UnusedEval);

/// <summary>What a MINT run asks for.</summary>
/// <param name="Points">Capture points; null = every point of the model (vanilla) or the last conv point (CNN).</param>
/// <param name="TrainFraction">Share of D and of E used to train the detector (the paper: 2/3).</param>
/// <param name="TrainSubsample">Share of MINT-train the detector actually trains on (a seeded subset of
/// each side; MINT-eval is unchanged): learning curves. 1 = all of it.</param>
public sealed record MintOptions(
    string Detector = MintDetectorKinds.Vanilla,
    IReadOnlyList<string>? Points = null,
    MintReduction Reduction = MintReduction.Max,
    MintTrainingOptions? Training = null,
    int Seed = 0,
    int BootstrapResamples = 1000,
    double TrainFraction = 2.0 / 3.0,
    double TrainSubsample = 1.0)
{
    public MintTrainingOptions TrainingOrDefault => Training ?? new MintTrainingOptions { Seed = Seeds.Derive(Seed, "mint-detector", 0) };
}

/// <summary>One MINT evaluation: the detector's probabilities on MINT-eval and their metrics.</summary>
/// <param name="BalancedAccuracy">Balanced accuracy at threshold 0.5 (the paper's metric): ½(TPR + TNR), "used" iff p &gt; 0.5.</param>
/// <param name="BalancedAccuracyCi95">Its normal-approximation 95% interval (<see cref="FixedThresholdAccuracy"/>).</param>
/// <param name="TrainBalancedAccuracy">The same on MINT-train, to see how much the detector overfits.</param>
/// <param name="Metrics">§7 metrics of the probabilities on MINT-eval (AUC, best balanced accuracy, TPR at FPR with intervals).</param>
/// <param name="Baselines">The max-confidence baseline and the loss attack on the same model and the same
/// MINT-eval samples, thresholds from MINT-train (empty when the model's outputs were not given).</param>
public sealed record MintResult(
    string Detector,
    IReadOnlyList<string> Points,
    MintReduction Reduction,
    int InputLength,
    MintSplit Split,
    double BalancedAccuracy,
    Interval BalancedAccuracyCi95,
    double TrainBalancedAccuracy,
    AttackMetrics Metrics,
    MintTrainingLog Log,
    double[] EvalProbabilities,
    bool[] EvalIsUsed,
    IReadOnlyList<MintBaseline> Baselines)
{
    /// <summary>The detector judged as the baselines are: "used" iff p ≥ τ, τ the threshold with the highest
    /// balanced accuracy on its own MINT-train probabilities; the accuracy is on MINT-eval. Beside the
    /// paper's fixed ½, it says how much of a gap to a baseline is the choice of threshold.</summary>
    public FixedThresholdAccuracy AtTrainThreshold { get; init; }
}

/// <summary>
/// The MINT protocol (ALGORITHMS.md §8): D = the audited model's training samples, E = samples it
/// did not train on (disjoint from D); each split 2/3 MINT-train, 1/3 MINT-eval with a seeded
/// draw; a detector is trained on the activations of MINT-train and evaluated on MINT-eval.
/// </summary>
public static class MintProtocol
{
    /// <summary>E for a run's model: the holdout split when the run has one, else the population
    /// samples the model did not train on.</summary>
    public static (int[] Used, int[] Unused, string UnusedSource) DefaultSets(bool[] keep, bool[]? holdout)
    {
        ArgumentNullException.ThrowIfNull(keep);
        var used = Enumerable.Range(0, keep.Length).Where(i => keep[i]).ToArray();
        if (holdout is not null && holdout.Any(h => h))
            return (used, Enumerable.Range(0, keep.Length).Where(i => holdout[i]).ToArray(), "holdout");
        return (used, Enumerable.Range(0, keep.Length).Where(i => !keep[i] && (holdout is null || !holdout[i])).ToArray(), "population");
    }

    /// <summary>Splits D and E into MINT-train and MINT-eval (round(fraction·n) to train, at least one
    /// of each kind on each side). D and E must be disjoint: an overlap is an <see cref="InputException"/>.</summary>
    public static MintSplit Split(IReadOnlyList<int> used, IReadOnlyList<int> unused, int seed, double trainFraction = 2.0 / 3.0)
    {
        ArgumentNullException.ThrowIfNull(used);
        ArgumentNullException.ThrowIfNull(unused);
        if (!(trainFraction > 0 && trainFraction < 1)) throw new InputException($"the MINT-train fraction must be in (0, 1), got {trainFraction}");
        CheckDistinct(used, "used");
        CheckDistinct(unused, "unused");
        var usedSet = used.ToHashSet();
        var common = unused.Where(usedSet.Contains).OrderBy(i => i).ToList();
        if (common.Count > 0)
            throw new InputException($"the used (D) and unused (E) sets overlap in {common.Count} samples (first: sample {common[0]}); MINT needs data the model did not train on");
        if (used.Count < 2 || unused.Count < 2)
            throw new InputException($"MINT needs at least 2 used and 2 unused samples (has {used.Count} used, {unused.Count} unused)");
        var (ut, ue) = Halves(used, trainFraction, StableRandom.For(seed, "mint-split-used", 0));
        var (nt, ne) = Halves(unused, trainFraction, StableRandom.For(seed, "mint-split-unused", 0));
        return new MintSplit(ut, ue, nt, ne);
    }

    /// <summary>
    /// Runs the protocol for one audited model (K = 1, weights loaded) over <paramref name="samples"/>:
    /// captures the detector's inputs for D ∪ E, trains on MINT-train, evaluates on MINT-eval.
    /// Returns the trained detector (the caller disposes it) and the result.
    /// </summary>
    public static (MintDetector Detector, MintResult Result) Run(IModel model, Dataset samples, IReadOnlyList<int> used,
        IReadOnlyList<int> unused, MintOptions options, MintAuditedModel? audited = null,
        Action<string, double, double>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(options);
        string kind = MintDetectorKinds.Check(options.Detector);
        CheckIndices(used, unused, samples.Count);
        Split(used, unused, options.Seed, options.TrainFraction); // refuse overlaps before any work
        // Inputs only for D ∪ E (CNN maps of every sample can be large), row r = sample rows[r].
        int[] rows = used.Concat(unused).Order().ToArray();
        var (inputs, inputShape, points, outputs) = Inputs(model, samples.Subset(rows), kind, options.Points, options.Reduction, progress);
        var position = new Dictionary<int, int>(rows.Length);
        for (int r = 0; r < rows.Length; r++) position[rows[r]] = r;
        var rowsOf = (IReadOnlyList<int> set) => set.Select(i => position[i]).ToArray();
        var localLabels = rows.Select(i => samples.Labels[i]).ToArray();
        var (detector, local) = RunOnInputs(inputs, inputShape, points, localLabels, rowsOf(used), rowsOf(unused), options, audited, progress, cancel, outputs);
        // Report the split in the run's sample indices.
        var s = local.Split;
        int[] Back(int[] r) => r.Select(k => rows[k]).ToArray();
        return (detector, local with { Split = new MintSplit(Back(s.UsedTrain), Back(s.UsedEval), Back(s.UnusedTrain), Back(s.UnusedEval)) });
    }

    /// <summary>
    /// The protocol on precomputed detector inputs: <paramref name="inputs"/> holds one row of
    /// <paramref name="inputShape"/> per sample; <paramref name="used"/> and <paramref name="unused"/>
    /// index those rows; <paramref name="labels"/> (optional, one per row) give per-class slices and the
    /// loss baseline; <paramref name="outputs"/> (optional, the model's logits, one row per input row) give
    /// the baselines.
    /// </summary>
    public static (MintDetector Detector, MintResult Result) RunOnInputs(float[] inputs, int[] inputShape, IReadOnlyList<string> points,
        long[]? labels, IReadOnlyList<int> used, IReadOnlyList<int> unused, MintOptions options, MintAuditedModel? audited = null,
        Action<string, double, double>? progress = null, CancellationToken cancel = default, float[]? outputs = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(options);
        string kind = MintDetectorKinds.Check(options.Detector);
        int f = inputShape.Aggregate(1, (a, d) => a * d);
        if (f < 1 || inputs.Length % f != 0) throw new ArgumentException($"inputs hold {inputs.Length} values, not rows of {f}");
        CheckIndices(used, unused, inputs.Length / f);
        var split = Subsample(Split(used, unused, options.Seed, options.TrainFraction), options.TrainSubsample, options.Seed);

        int[] trainRows = [.. split.UsedTrain, .. split.UnusedTrain];
        int[] evalRows = [.. split.UsedEval, .. split.UnusedEval];
        bool[] trainUsed = Flags(split.UsedTrain.Length, split.UnusedTrain.Length);
        bool[] evalUsed = Flags(split.UsedEval.Length, split.UnusedEval.Length);

        var detector = MintDetector.Create(kind, inputShape, options.TrainingOrDefault, points, options.Reduction, audited);
        try
        {
            var log = detector.Train(Rows(inputs, f, trainRows), trainUsed,
                (e, total) => progress?.Invoke("MINT detector", e, total), cancel);
            double[] evalP = detector.Predict(Rows(inputs, f, evalRows));
            double[] trainP = detector.Predict(Rows(inputs, f, trainRows));
            var evaluation = new EvaluationOptions(BootstrapResamples: options.BootstrapResamples, Seed: options.Seed);
            var metrics = Evaluator.Evaluate(evalP, evalUsed, labels is null ? null : evalRows.Select(i => labels[i]).ToArray(), evaluation);
            var atHalf = FixedThresholdAccuracy.At(evalP, evalUsed, 0.5, strict: true);
            IReadOnlyList<MintBaseline> baselines = [];
            if (outputs is not null)
            {
                int rowsCount = inputs.Length / f;
                if (outputs.Length % rowsCount != 0) throw new ArgumentException($"{outputs.Length} outputs are not {rowsCount} rows");
                baselines = MintBaselines.Compute(outputs, outputs.Length / rowsCount, labels, trainRows, trainUsed, evalRows, evalUsed, evaluation);
            }
            var result = new MintResult(kind, points, options.Reduction, f, split, atHalf.BalancedAccuracy, atHalf.Ci95,
                BalancedAccuracyAtHalf(trainP, trainUsed), metrics, log, evalP, evalUsed, baselines)
            { AtTrainThreshold = AtTrainThreshold(trainP, trainUsed, evalP, evalUsed) };
            return (detector, result);
        }
        catch
        {
            detector.Dispose();
            throw;
        }
    }

    private static void CheckIndices(IReadOnlyList<int> used, IReadOnlyList<int> unused, int count)
    {
        ArgumentNullException.ThrowIfNull(used);
        ArgumentNullException.ThrowIfNull(unused);
        foreach (int i in used.Concat(unused))
            if ((uint)i >= (uint)count) throw new InputException($"sample index {i} is outside the {count} samples");
    }

    /// <summary>MINT-train cut to a seeded <paramref name="fraction"/> of each side (at least one sample each); MINT-eval kept.</summary>
    public static MintSplit Subsample(MintSplit split, double fraction, int seed)
    {
        if (!(fraction > 0 && fraction <= 1)) throw new InputException($"the MINT-train subsample must be in (0, 1], got {fraction}");
        if (fraction == 1) return split;
        int[] Keep(int[] rows, string purpose)
        {
            int k = Math.Clamp((int)Math.Round(fraction * rows.Length), 1, rows.Length);
            var chosen = StableRandom.For(seed, purpose, 0).Subset(rows.Length, k);
            return rows.Where((_, i) => chosen[i]).ToArray();
        }
        return split with { UsedTrain = Keep(split.UsedTrain, "mint-subsample-used"), UnusedTrain = Keep(split.UnusedTrain, "mint-subsample-unused") };
    }

    /// <summary>The detector's inputs for every sample: reduced activations [N, L] (vanilla) or one
    /// conv point's full maps [N, C, H, W] (CNN), and the model's outputs [N, …] from the same passes.</summary>
    public static (float[] Inputs, int[] InputShape, IReadOnlyList<string> Points, float[]? Outputs) Inputs(IModel model, Dataset samples,
        string kind, IReadOnlyList<string>? points, MintReduction reduction, Action<string, double, double>? progress = null)
    {
        kind = MintDetectorKinds.Check(kind);
        if (kind == MintDetectorKinds.Vanilla)
        {
            var a = ActivationCapture.Capture(model, samples, points, reduction,
                onProgress: (d, t) => progress?.Invoke("activations", d, t));
            return (a.Values, [a.Layout.Width], a.Layout.Points, a.Outputs);
        }
        string point;
        if (points is null || points.Count == 0 || (points.Count == 1 && points[0] == ActivationCapture.All))
        {
            var conv = ActivationCapture.ConvPoints(model, samples);
            point = conv.Count > 0 ? conv[^1] : throw new InputException($"the CNN detector needs a conv capture point, but this model has none ({string.Join(", ", model.CapturePoints)}); use --detector vanilla");
        }
        else if (points.Count == 1) point = points[0];
        else throw new InputException($"the CNN detector reads one conv capture point, got {points.Count} ({string.Join(", ", points)})");
        var maps = ActivationCapture.CaptureMap(model, samples, point, onProgress: (d, t) => progress?.Invoke("activations", d, t));
        return (maps.Values, maps.SampleShape, [point], maps.Outputs);
    }

    /// <summary>Balanced accuracy on MINT-eval at the threshold with the highest balanced accuracy on
    /// MINT-train's probabilities ("used" iff p ≥ τ), the rule the baselines are judged by.</summary>
    public static FixedThresholdAccuracy AtTrainThreshold(double[] trainP, bool[] trainUsed, double[] evalP, bool[] evalUsed) =>
        FixedThresholdAccuracy.At(evalP, evalUsed, ThresholdSelection.MaxBalancedAccuracy(trainP, trainUsed).Tau);

    /// <summary>½(TPR + TNR) with "used" iff p &gt; 0.5.</summary>
    public static double BalancedAccuracyAtHalf(double[] probabilities, bool[] used)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(used);
        int tp = 0, p = 0, tn = 0, q = 0;
        for (int i = 0; i < used.Length; i++)
        {
            bool predicted = probabilities[i] > 0.5;
            if (used[i]) { p++; if (predicted) tp++; }
            else { q++; if (!predicted) tn++; }
        }
        return 0.5 * ((p == 0 ? double.NaN : (double)tp / p) + (q == 0 ? double.NaN : (double)tn / q));
    }

    internal static float[] Rows(float[] values, int width, int[] rows)
    {
        var result = new float[(long)rows.Length * width];
        for (int k = 0; k < rows.Length; k++) Array.Copy(values, (long)rows[k] * width, result, (long)k * width, width);
        return result;
    }

    private static bool[] Flags(int used, int unused) => [.. Enumerable.Repeat(true, used), .. Enumerable.Repeat(false, unused)];

    private static (int[] Train, int[] Eval) Halves(IReadOnlyList<int> items, double fraction, StableRandom random)
    {
        int n = items.Count;
        int train = Math.Clamp((int)Math.Round(fraction * n), 1, n - 1);
        var chosen = random.Subset(n, train);
        var a = new List<int>(train);
        var b = new List<int>(n - train);
        for (int k = 0; k < n; k++) (chosen[k] ? a : b).Add(items[k]);
        a.Sort();
        b.Sort();
        return (a.ToArray(), b.ToArray());
    }

    private static void CheckDistinct(IReadOnlyList<int> items, string name)
    {
        var seen = new HashSet<int>();
        foreach (int i in items)
            if (!seen.Add(i)) throw new InputException($"sample {i} appears twice in the {name} set");
    }
}
