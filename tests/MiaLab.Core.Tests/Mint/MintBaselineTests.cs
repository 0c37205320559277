using MiaLab.Core.Mint;
using MiaLab.Core.Signals;

namespace MiaLab.Core.Tests.Mint;

/// <summary>The baselines every MINT result is reported beside.</summary>
public class MintBaselineTests
{
    [Fact]
    public void TheBaselineThresholdComesFromMintTrainOnly()
    {
        // Rows 0–3 are MINT-train, 4–7 MINT-eval. On train, used {0.9, 0.8} vs unused {0.4, 0.3}: the best
        // balanced accuracy (1.0) is first reached at τ = 0.8 (the highest τ wins ties). On eval the used
        // rows score {0.7, 0.5} and the unused {0.6, 0.1}: at τ = 0.8 nothing is called used → TPR 0,
        // TNR 1, balanced accuracy ½; a threshold chosen on eval (τ = 0.5) would have given ¾.
        double[] scores = [0.9, 0.8, 0.4, 0.3, 0.7, 0.5, 0.6, 0.1];
        var b = MintBaselines.Measure("test", scores, [0, 1, 2, 3], [true, true, false, false], [4, 5, 6, 7], [true, true, false, false],
            new(BootstrapResamples: 0));
        Assert.Equal(0.8, b.Threshold, 12);
        Assert.Equal(1.0, b.TrainBalancedAccuracy, 12);
        Assert.Equal(0.5, b.Eval.BalancedAccuracy, 12);
        Assert.Equal((0.0, 1.0), (b.Eval.Tpr, b.Eval.Tnr));
        // AUC on eval: pairs (used > unused) of (0.7, 0.5) vs (0.6, 0.1): 0.7>0.6, 0.7>0.1, 0.5>0.1, 0.5<0.6 → ¾.
        Assert.Equal(0.75, b.Metrics.Auc, 12);

        // Moving the eval scores cannot move the threshold.
        double[] shifted = [.. scores[..4], 0.2, 0.2, 0.95, 0.99];
        var c = MintBaselines.Measure("test", shifted, [0, 1, 2, 3], [true, true, false, false], [4, 5, 6, 7], [true, true, false, false],
            new(BootstrapResamples: 0));
        Assert.Equal(b.Threshold, c.Threshold);
    }

    [Fact]
    public void TheMaxConfidenceAndLossScoresPointTowardsUsed()
    {
        // Logits [0, ln 3]: softmax [¼, ¾]. Max confidence ¾ (higher = used); for label 0 the loss is
        // −ln ¼ = ln 4 and its member score −ln 4; for label 1, −ln(4/3).
        float[] logits = [0f, (float)Math.Log(3)];
        var confidence = MintBaselines.Scores(SignalKind.MaxConfidence, logits, 2, null);
        Assert.Equal(0.75, confidence[0], 6);
        Assert.Equal(-Math.Log(4), MintBaselines.Scores(SignalKind.Loss, logits, 2, [0])[0], 6);
        Assert.Equal(-Math.Log(4.0 / 3), MintBaselines.Scores(SignalKind.Loss, logits, 2, [1])[0], 6);
    }

    [Fact]
    public void BalancedAccuracyAtAFixedThresholdHasANormalInterval()
    {
        // Used {0.9, 0.8, 0.3}, unused {0.6, 0.2, 0.1}, τ = 0.5: TPR = TNR = ⅔, balanced accuracy ⅔;
        // half-width 1.96 · ½ · √(2 · (⅔ · ⅓) / 3) = 0.98 · √(4/27).
        var a = FixedThresholdAccuracy.At([0.9, 0.8, 0.3, 0.6, 0.2, 0.1], [true, true, true, false, false, false], 0.5);
        double half = 0.98 * Math.Sqrt(4.0 / 27);
        Assert.Equal(2.0 / 3, a.BalancedAccuracy, 12);
        Assert.Equal(2.0 / 3 - half, a.Ci95.Low, 12);
        Assert.Equal(2.0 / 3 + half, a.Ci95.High, 12);
        // Strict: a score equal to τ is not "used".
        Assert.Equal(0.5, FixedThresholdAccuracy.At([0.5, 0.4], [true, false], 0.5, strict: true).BalancedAccuracy, 12);
        Assert.Equal(1.0, FixedThresholdAccuracy.At([0.5, 0.4], [true, false], 0.5).BalancedAccuracy, 12);
    }
}
