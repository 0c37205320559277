using MiaLab.Core.Attacks;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Signals;

namespace MiaLab.Core.Mint;

/// <summary>A one-score attack on the audited model, measured on MINT's own split: its threshold is
/// chosen on MINT-train (highest balanced accuracy there), its balanced accuracy is at that threshold
/// on MINT-eval, and its metrics (AUC, TPR at FPR) are of its scores on MINT-eval.</summary>
/// <param name="Name">The signal: max-confidence (label-free) or loss (needs the labels).</param>
/// <param name="Threshold">τ chosen on MINT-train; "used" iff member score ≥ τ.</param>
public sealed record MintBaseline(
    string Name,
    double Threshold,
    FixedThresholdAccuracy Eval,
    double TrainBalancedAccuracy,
    AttackMetrics Metrics);

/// <summary>The baselines every MINT result is reported beside (ALGORITHMS.md §1 signals).</summary>
public static class MintBaselines
{
    /// <summary>Max softmax probability: label-free, the simplest thing MINT must beat.</summary>
    public const string MaxConfidence = "max-confidence";
    /// <summary>The loss attack: −ℓ(f(x), y), which also reads the label.</summary>
    public const string Loss = "loss";

    /// <summary>Both baselines from the audited model's outputs [N, C] (logits). <paramref name="labels"/>
    /// null = no loss baseline. Rows index the outputs.</summary>
    public static IReadOnlyList<MintBaseline> Compute(float[] outputs, int classes, long[]? labels,
        int[] trainRows, bool[] trainUsed, int[] evalRows, bool[] evalUsed, EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var list = new List<MintBaseline>
        {
            Measure(MaxConfidence, Scores(SignalKind.MaxConfidence, outputs, classes, null), trainRows, trainUsed, evalRows, evalUsed, options),
        };
        if (labels is not null)
            list.Add(Measure(Loss, Scores(SignalKind.Loss, outputs, classes, labels), trainRows, trainUsed, evalRows, evalUsed, options));
        return list;
    }

    /// <summary>One baseline from per-row member scores (higher = used): τ from the train rows only.</summary>
    public static MintBaseline Measure(string name, double[] scores, int[] trainRows, bool[] trainUsed, int[] evalRows, bool[] evalUsed,
        EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var train = trainRows.Select(i => scores[i]).ToArray();
        var eval = evalRows.Select(i => scores[i]).ToArray();
        var tau = ThresholdSelection.MaxBalancedAccuracy(train, trainUsed);
        return new MintBaseline(name, tau.Tau, FixedThresholdAccuracy.At(eval, evalUsed, tau.Tau), tau.Objective,
            Evaluator.Evaluate(eval, evalUsed, null, options with { PerClass = false }));
    }

    /// <summary>Member scores (higher = used) of one signal for each row of logits.</summary>
    public static double[] Scores(SignalKind kind, float[] outputs, int classes, long[]? labels)
    {
        if (classes < 2 || outputs.Length % classes != 0) throw new ArgumentException($"{outputs.Length} outputs are not rows of {classes} logits");
        int n = outputs.Length / classes;
        var scores = new double[n];
        for (int i = 0; i < n; i++)
            scores[i] = Signal.ToMemberScore(kind, Signal.FromLogits(kind, outputs.AsSpan(i * classes, classes), labels?[i] ?? 0));
        return scores;
    }
}
