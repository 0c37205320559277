using MiaLab.Torch.Mint;

namespace MiaLab.Torch.Tests.Mint;

/// <summary>What the detector must not invent, and the inputs it reads.</summary>
public class MintInputTests
{
    [Theory]
    [InlineData("vanilla", "weight", true)]
    [InlineData("vanilla", "activity", false)]
    [InlineData("cnn", "weight", true)]
    public void ADetectorThatCannotLearnStaysAtChance(string kind, string penalty, bool balanced)
    {
        // Every row is the same input: whatever the detector learns, it gives every sample the same
        // probability, so at 0.5 it calls all of them used or all unused (½(1 + 0) = ½) and its AUC is ½ (all ties).
        int[] shape = kind == "cnn" ? [2, 4, 4] : [6];
        int width = shape.Aggregate(1, (a, d) => a * d), n = 120;
        var inputs = Enumerable.Repeat(0.7f, n * width).ToArray();
        int[] used = Enumerable.Range(0, 80).ToArray(), unused = Enumerable.Range(80, 40).ToArray();
        var options = new MintOptions(kind, Seed: 3, BootstrapResamples: 0,
            Training: new MintTrainingOptions { Epochs = 4, Hidden = 8, Filters = 4, Penalty = penalty, Balanced = balanced, Seed = 1 });
        var (detector, r) = MintProtocol.RunOnInputs(inputs, shape, ["constant"], null, used, unused, options);
        detector.Dispose();
        Assert.Equal(0.5, r.BalancedAccuracy, 12);
        Assert.Equal(0.5, r.TrainBalancedAccuracy, 12);
        Assert.Equal(0.5, r.Metrics.Auc, 12);
    }

    [Fact]
    public void TheConfidenceViewIsTheSortedLogitScaledSoftmax()
    {
        // Row 1: logits [0, ln 3] → p = [¼, ¾] → log(p / (1 − p)) = [−ln 3, ln 3] → sorted [ln 3, −ln 3].
        // Row 2: [5, 5] → p = ½ each → 0, 0.
        var two = ActivationCapture.SortedLogitScaled([0f, (float)Math.Log(3), 5f, 5f], 2);
        Assert.Equal(Math.Log(3), two[0], 5);
        Assert.Equal(-Math.Log(3), two[1], 5);
        Assert.Equal(0, two[2], 5);
        Assert.Equal(0, two[3], 5);
        // Three classes: [0, 0, ln 2] → p = [¼, ¼, ½] → [ln ⅓, ln ⅓, 0] → sorted [0, −ln 3, −ln 3].
        var three = ActivationCapture.SortedLogitScaled([0f, 0f, (float)Math.Log(2)], 1);
        Assert.Equal(0, three[0], 5);
        Assert.Equal(-Math.Log(3), three[1], 5);
        Assert.Equal(-Math.Log(3), three[2], 5);
        // A sure model: logits [0, 30] give p₁ = 1 − 9.4e-14 (log p₁ rounds to 0 in float32), but φ₁ = 30 and φ₂ = −30.
        var sure = ActivationCapture.SortedLogitScaled([0f, 30f], 1);
        Assert.Equal(30, sure[0], 4);
        Assert.Equal(-30, sure[1], 4);
    }

    [Fact]
    public void ASubsampleOfMintTrainKeepsMintEval()
    {
        var split = MintProtocol.Split(Enumerable.Range(0, 80).ToArray(), Enumerable.Range(100, 40).ToArray(), seed: 2);
        var quarter = MintProtocol.Subsample(split, 0.25, seed: 2);
        Assert.Equal(((int)Math.Round(0.25 * split.UsedTrain.Length), (int)Math.Round(0.25 * split.UnusedTrain.Length)),
            (quarter.UsedTrain.Length, quarter.UnusedTrain.Length));
        Assert.Subset(split.UsedTrain.ToHashSet(), quarter.UsedTrain.ToHashSet());
        Assert.Equal(split.UsedEval, quarter.UsedEval);
        Assert.Equal(split.UnusedEval, quarter.UnusedEval);
        Assert.Same(split, MintProtocol.Subsample(split, 1.0, seed: 2));
    }
}
