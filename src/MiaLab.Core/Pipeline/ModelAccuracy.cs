using MiaLab.Core.Signals;

namespace MiaLab.Core.Pipeline;

/// <summary>A model's accuracy on its identity query: on the samples it trained on, and on
/// the holdout split when there is one (else on the population samples it did not train on).</summary>
public static class ModelAccuracy
{
    /// <param name="logits">[N, A, C]; query 0 (identity) is used.</param>
    public static (double Train, double Test) Of(ReadOnlySpan<float> logits, long[] labels, bool[] keep, bool[]? holdout, int augmentations, int classes)
    {
        bool hasHoldout = holdout is not null && holdout.Contains(true);
        int trainHits = 0, trainCount = 0, testHits = 0, testCount = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            bool isTest = hasHoldout ? holdout![i] : !keep[i];
            if (!keep[i] && !isTest) continue;
            bool hit = Signal.ArgMax(logits.Slice(i * augmentations * classes, classes)) == labels[i];
            if (keep[i]) { trainCount++; if (hit) trainHits++; }
            else { testCount++; if (hit) testHits++; }
        }
        return (Ratio(trainHits, trainCount), Ratio(testHits, testCount));
    }

    private static double Ratio(int hits, int count) => count == 0 ? double.NaN : (double)hits / count;
}
