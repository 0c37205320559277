using MiaLab.Core.Attacks;

namespace MiaLab.Core.Tests.Attacks;

public class LabelOnlyTests
{
    [Fact]
    public void AugmentationRobustnessCountsCorrectQueries()
    {
        // N = 3, A = 3, C = 2, labels [0, 1, 0]; model 0 logits per query:
        //  sample 0: [2,1] ✓, [1,2] ✗, [3,0] ✓ → 2
        //  sample 1: [0,1] ✓, [0,5] ✓, [1,1] ✗ (tie → argmax 0) → 2
        //  sample 2 (holdout): unscored
        float[] l0 = [2, 1, 1, 2, 3, 0, 0, 1, 0, 5, 1, 1, 0, 0, 0, 0, 0, 0];
        var o = new ModelOutputs([l0, new float[18]], [0, 1, 0], [[true, false, false], [false, true, false]], 3, 2,
            [false, false, true]);
        var r = LabelOnly.AugmentationRobustness(o, 0);
        Assert.Equal("label-only-augmentation", r.Name);
        Assert.Equal([2.0, 2.0, double.NaN], r.Scores);
        Assert.Equal([2], r.Unscored);
    }
}
