using MiaLab.Core.Attacks;

namespace MiaLab.Core.Tests.Attacks;

public class LabelOnlyAndCatalogTests
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

    [Fact]
    public void CatalogRunsEveryNameWithDefaultReferences()
    {
        var o = AttackTestData.RandomTies(seed: 2, n: 40, models: 5, augmentations: 2, classes: 3, holdout: 0);
        Assert.Equal(AttackCatalog.Names.Count, AttackCatalog.Names.Distinct().Count());
        foreach (var name in AttackCatalog.Names)
        {
            var r = AttackCatalog.Run(name, o, 1, seed: 4);
            Assert.Equal(name, r.Name);
            Assert.Equal(40, r.Scores.Length);
            for (int i = 0; i < r.Scores.Length; i++)
                Assert.Equal(double.IsNaN(r.Scores[i]), r.Unscored.Contains(i));
        }
        Assert.Equal([0, 2, 3, 4], AttackCatalog.DefaultReferences(o, 1));
        // Default references = every model but the target.
        Assert.Equal(Rmia.Run(o, 1, [0, 2, 3, 4]).Scores, AttackCatalog.Run("rmia-online", o, 1).Scores);
    }

    [Fact]
    public void CatalogErrors()
    {
        var o = AttackTestData.RandomTies(seed: 2, n: 20, models: 3, augmentations: 1, classes: 2, holdout: 0);
        var e = Assert.Throws<InputException>(() => AttackCatalog.Run("lira", o, 0));
        Assert.Contains("lira-online", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Throws<InputException>(() => AttackCatalog.Run("loss", o, 3));
        Assert.Throws<InputException>(() => AttackCatalog.Run("lira-online", o, 0, [0, 1]));
        Assert.Throws<InputException>(() => AttackCatalog.Run("rmia-online", o, 0, [1, 7]));
    }
}
