namespace MiaLab.Core.Signals;

/// <summary>The per-sample, per-model, per-query statistics of ALGORITHMS.md §1.</summary>
public enum SignalKind { Loss, Confidence, MaxConfidence, Entropy, ModifiedEntropy, StableLogit, Hinge, Correctness }

/// <summary>
/// Signals computed from one model's output on one sample (ALGORITHMS.md §1).
/// <para>From logits everything is float64 with the maximum logit subtracted before exponentiating,
/// so no probability is formed where a log-domain value is wanted (loss = logsumexp(l) − l_y,
/// stable logit = l_y − logsumexp_{j≠y} l_j).</para>
/// <para>From probabilities every log takes max(p, 1e-8) (TF Privacy's clamp).</para>
/// <para>Raw values keep their natural sign (loss ≥ 0, entropy ≥ 0); <see cref="ToMemberScore"/>
/// turns a value into a score where higher = more likely member.</para>
/// </summary>
public static class Signal
{
    /// <summary>The smallest probability a log sees when the input is probabilities.</summary>
    public const double ProbabilityFloor = 1e-8;

    /// <summary>Modified entropy replaces log(0) by log(1e-30) (Song &amp; Mittal).</summary>
    public const double ModifiedEntropyFloor = 1e-30;

    private static readonly double LogModifiedEntropyFloor = Math.Log(ModifiedEntropyFloor);

    private static readonly (SignalKind Kind, string Name)[] Names =
    [
        (SignalKind.Loss, "loss"),
        (SignalKind.Confidence, "confidence"),
        (SignalKind.MaxConfidence, "max-confidence"),
        (SignalKind.Entropy, "entropy"),
        (SignalKind.ModifiedEntropy, "modified-entropy"),
        (SignalKind.StableLogit, "stable-logit"),
        (SignalKind.Hinge, "hinge"),
        (SignalKind.Correctness, "correctness"),
    ];

    /// <summary>Every valid signal name, in enum order.</summary>
    public static IReadOnlyList<string> ValidNames { get; } = Array.ConvertAll(Names, n => n.Name);

    public static SignalKind Parse(string name)
    {
        foreach (var (kind, n) in Names)
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return kind;
        throw new InputException($"unknown signal '{name}'; valid signals: {string.Join(", ", ValidNames)}");
    }

    public static string Name(SignalKind kind)
    {
        foreach (var (k, n) in Names)
            if (k == kind) return n;
        throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a signal kind");
    }

    /// <summary>Higher = more likely member: loss, entropy and modified entropy are negated;
    /// confidence, max-confidence, stable logit, hinge and correctness are kept.</summary>
    public static double ToMemberScore(SignalKind kind, double value) => kind switch
    {
        SignalKind.Loss or SignalKind.Entropy or SignalKind.ModifiedEntropy => -value,
        _ => value,
    };

    /// <summary>The raw signal of one model output given as logits.</summary>
    public static double FromLogits(SignalKind kind, ReadOnlySpan<float> logits, long label)
    {
        int y = CheckLabel(logits.Length, label);
        int c = logits.Length;
        switch (kind)
        {
            case SignalKind.Correctness:
                return ArgMax(logits) == y ? 1.0 : 0.0;
            case SignalKind.Hinge:
                {
                    double other = double.NegativeInfinity;
                    for (int j = 0; j < c; j++)
                        if (j != y && logits[j] > other) other = logits[j];
                    return logits[y] - other;
                }
            case SignalKind.StableLogit:
                return logits[y] - LogSumExp(logits, y);
        }

        double lse = LogSumExp(logits, -1);
        double logPy = logits[y] - lse;
        switch (kind)
        {
            case SignalKind.Loss:
                return -logPy;
            case SignalKind.Confidence:
                return Math.Exp(logPy);
            case SignalKind.MaxConfidence:
                return Math.Exp(Max(logits) - lse);
            case SignalKind.Entropy:
                {
                    double h = 0;
                    for (int j = 0; j < c; j++)
                    {
                        double logP = logits[j] - lse;
                        double p = Math.Exp(logP);
                        if (p > 0) h -= p * logP; // a −∞ logit contributes 0·(−∞) := 0
                    }
                    return h;
                }
            case SignalKind.ModifiedEntropy:
                {
                    // 1 − p_j is formed as Σ_{k≠j} p_k (no cancellation when p_j ≈ 1). Only the
                    // largest logit can have p_j ≥ ½, so at most one complement needs its own sum;
                    // the others use log1p(−p_j), accurate for p_j < ½.
                    int top = ArgMax(logits);
                    double logNotTop = LogSumExp(logits, top) - lse; // log(1 − p_top)
                    double logNotY = y == top ? logNotTop : Math.Log(-AccurateMath.ExpM1(logPy)); // p_y < ½ here
                    double m = -Math.Exp(logNotY) * Math.Max(logPy, LogModifiedEntropyFloor);
                    for (int j = 0; j < c; j++)
                    {
                        if (j == y) continue;
                        double pj = Math.Exp(logits[j] - lse);
                        double log1mp = j == top ? logNotTop : AccurateMath.Log1P(-pj);
                        m -= pj * Math.Max(log1mp, LogModifiedEntropyFloor);
                    }
                    return m;
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a signal kind");
        }
    }

    /// <summary>The raw signal of one model output given as probabilities; logs take max(p, 1e-8).
    /// The stable logit is log p_y − log Σ_{j≠y} p_j (both clamped); the hinge uses log p as logits.</summary>
    public static double FromProbabilities(SignalKind kind, ReadOnlySpan<float> probs, long label)
    {
        int y = CheckLabel(probs.Length, label);
        int c = probs.Length;
        double py = probs[y];
        switch (kind)
        {
            case SignalKind.Loss:
                return -ClampedLog(py);
            case SignalKind.Confidence:
                return py;
            case SignalKind.MaxConfidence:
                return Max(probs);
            case SignalKind.Entropy:
                {
                    double h = 0;
                    for (int j = 0; j < c; j++) h -= probs[j] * ClampedLog(probs[j]);
                    return h;
                }
            case SignalKind.ModifiedEntropy:
                {
                    double others = 0;
                    for (int j = 0; j < c; j++) if (j != y) others += probs[j];
                    // 1 − p_y taken as Σ_{j≠y} p_j, which is the same number for a normalised vector.
                    double m = -others * ClampedLog(py);
                    for (int j = 0; j < c; j++)
                        if (j != y) m -= probs[j] * ClampedLog(1.0 - probs[j]);
                    return m;
                }
            case SignalKind.StableLogit:
                {
                    double others = 0;
                    for (int j = 0; j < c; j++) if (j != y) others += probs[j];
                    return ClampedLog(py) - ClampedLog(others);
                }
            case SignalKind.Hinge:
                {
                    double other = double.NegativeInfinity;
                    for (int j = 0; j < c; j++)
                        if (j != y) other = Math.Max(other, ClampedLog(probs[j]));
                    return ClampedLog(py) - other;
                }
            case SignalKind.Correctness:
                return ArgMax(probs) == y ? 1.0 : 0.0;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a signal kind");
        }
    }

    /// <summary>The raw signal for every sample and query: values [N, A, C] (C order) → [N × A],
    /// element i·A + a belonging to sample i, query a.</summary>
    public static double[] Compute(SignalKind kind, float[] values, long[] labels, int augmentations, int classes, bool probabilities)
    {
        if (augmentations < 1) throw new InputException($"need at least 1 query augmentation, got {augmentations}");
        if (classes < 2) throw new InputException($"signals need at least 2 classes, got {classes}");
        long expected = (long)labels.Length * augmentations * classes;
        if (values.Length != expected)
            throw new InputException($"model outputs have {values.Length} values, expected N×A×C = {labels.Length}×{augmentations}×{classes}");
        int n = labels.Length;
        for (int i = 0; i < n; i++)
            if (labels[i] < 0 || labels[i] >= classes)
                throw new InputException($"label {labels[i]} of sample {i} is outside [0, {classes})");
        if (probabilities) CheckProbabilities(values, classes);

        var result = new double[n * augmentations];
        void One(int i)
        {
            for (int a = 0; a < augmentations; a++)
            {
                int row = (i * augmentations) + a;
                var span = new ReadOnlySpan<float>(values, row * classes, classes);
                result[row] = probabilities ? FromProbabilities(kind, span, labels[i]) : FromLogits(kind, span, labels[i]);
            }
        }
        if (n >= 4096) Parallel.For(0, n, One);
        else for (int i = 0; i < n; i++) One(i);
        return result;
    }

    /// <summary>log Σ_j exp(l_j) over j ≠ skip (skip = −1: over all), max-subtracted, in float64.
    /// −∞ when nothing is left.</summary>
    internal static double LogSumExp(ReadOnlySpan<float> l, int skip)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < l.Length; j++)
            if (j != skip && l[j] > max) max = l[j];
        if (double.IsNegativeInfinity(max) || double.IsPositiveInfinity(max)) return max;
        double sum = 0;
        for (int j = 0; j < l.Length; j++)
            if (j != skip) sum += Math.Exp(l[j] - max);
        return max + Math.Log(sum);
    }

    /// <summary>Tolerance on a probability row's sum (float32 outputs of a softmax sum to 1 within ~1e-6).</summary>
    public const double ProbabilitySumTolerance = 1e-3;

    /// <summary>Every value in [0, 1] and every row summing to 1: what "probabilities" promises.</summary>
    private static void CheckProbabilities(float[] values, int classes)
    {
        for (int row = 0; row < values.Length / classes; row++)
        {
            double sum = 0;
            for (int j = 0; j < classes; j++)
            {
                float p = values[row * classes + j];
                if (!(p >= 0 && p <= 1))
                    throw new InputException($"the outputs are said to be probabilities, but row {row} holds {p}; pass logits without --probs, or softmax outputs in [0, 1]");
                sum += p;
            }
            if (Math.Abs(sum - 1) > ProbabilitySumTolerance)
                throw new InputException($"the outputs are said to be probabilities, but row {row} sums to {sum:0.######}, not 1");
        }
    }

    /// <summary>log softmax(l / T)_y, max-subtracted, in float64: the one log-softmax of Core.</summary>
    public static double LogSoftmaxAt(ReadOnlySpan<float> logits, int y, double temperature = 1.0)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < logits.Length; j++) if (logits[j] > max) max = logits[j];
        double sum = 0;
        for (int j = 0; j < logits.Length; j++) sum += Math.Exp((logits[j] - max) / temperature);
        return ((logits[y] - max) / temperature) - Math.Log(sum);
    }

    /// <summary>softmax(l) into <paramref name="p"/> (same length), max-subtracted, in float64.</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<double> p)
    {
        double max = double.NegativeInfinity;
        foreach (float l in logits) max = Math.Max(max, l);
        double sum = 0;
        for (int c = 0; c < logits.Length; c++)
        {
            p[c] = Math.Exp(logits[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < logits.Length; c++) p[c] /= sum;
    }

    /// <summary>First index of the largest value (NumPy's argmax tie rule).</summary>
    public static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int j = 1; j < v.Length; j++)
            if (v[j] > v[best]) best = j;
        return best;
    }

    private static double Max(ReadOnlySpan<float> v) => v[ArgMax(v)];

    private static double ClampedLog(double p) => Math.Log(Math.Max(p, ProbabilityFloor));

    private static int CheckLabel(int classes, long label)
    {
        if (classes < 2) throw new InputException($"signals need at least 2 classes, got {classes}");
        if (label < 0 || label >= classes) throw new InputException($"label {label} is outside [0, {classes})");
        return (int)label;
    }
}
