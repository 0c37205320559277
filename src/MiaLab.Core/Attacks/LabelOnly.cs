using MiaLab.Core.Signals;

namespace MiaLab.Core.Attacks;

/// <summary>
/// Label-only attacks, ALGORITHMS.md §6. The gap attack (member iff the prediction is correct) is
/// <see cref="MetricAttack"/> with <see cref="SignalKind.Correctness"/>, named "label-only-gap".
/// </summary>
public static class LabelOnly
{
    public const string AugmentationName = "label-only-augmentation";

    /// <summary>Score = the number of queries (identity, flips, shifts…) whose argmax equals the label
    /// (first index on ties). Holdout samples are unscored.</summary>
    public static AttackResult AugmentationRobustness(ModelOutputs o, int target)
    {
        AttackChecks.Target(o, target);
        AttackChecks.CheckLabels(o);
        var scores = new double[o.Samples];
        for (int i = 0; i < o.Samples; i++)
        {
            if (o.Holdout[i]) { scores[i] = double.NaN; continue; }
            int correct = 0;
            for (int a = 0; a < o.Augmentations; a++)
                if (Signal.ArgMax(o.LogitsOf(target, i, a)) == o.Labels[i]) correct++;
            scores[i] = correct;
        }
        var extras = new Dictionary<string, double> { ["queries"] = o.Augmentations };
        return new AttackResult(AugmentationName, scores, AttackChecks.HoldoutIndices(o), extras);
    }
}
