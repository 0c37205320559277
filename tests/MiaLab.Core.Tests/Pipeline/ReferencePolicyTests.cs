using MiaLab.Core.Attacks;
using MiaLab.Core.Config;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Core.Tests.Attacks;

namespace MiaLab.Core.Tests.Pipeline;

public class ReferencePolicyTests
{
    /// <summary>Ten models in five complementary pairs (2i, 2i+1) on 40 samples, 10 more as holdout.</summary>
    private static ModelOutputs TenModelPairs()
    {
        var keep = KeepPlan.WithHoldout(KeepPlan.Create(10, 40, KeepPlan.ComplementaryPairs, seed: 3), 10);
        var phi = keep.Select(k => k.Select(member => member ? 2.0 : 0.0).ToArray()).ToArray();
        return AttackTestData.FromStableLogits(phi, keep, 1, KeepPlan.HoldoutMask(40, 10));
    }

    [Fact]
    public void AllOthersIsEveryModelButTheTarget()
    {
        var set = ReferencePolicy.Default.For(TenModelPairs(), 3);
        Assert.Equal([0, 1, 2, 4, 5, 6, 7, 8, 9], set.Models);
        Assert.Null(set.Uses);
    }

    [Fact]
    public void AllButMateLeavesOutTheComplementaryMate()
    {
        var o = TenModelPairs();
        Assert.Equal([0, 1, 4, 5, 6, 7, 8, 9], ReferencePolicy.ButMate.For(o, 3).Models);
        Assert.Equal([0, 1, 2, 3, 6, 7, 8, 9], ReferencePolicy.ButMate.For(o, 4).Models);
        Assert.Equal([2, 3, 4, 5, 6, 7, 8, 9], ReferencePolicy.ButMate.For(o, 0).Models);

        var random = AttackTestData.RandomTies(seed: 1, n: 30, models: 4, augmentations: 1, classes: 2, holdout: 5);
        Assert.Contains("no complementary mate", Assert.Throws<InputException>(() => ReferencePolicy.ButMate.For(random, 0)).Message);
    }

    [Fact]
    public void OutKTakesPerSampleTheFirstKOutAndInModelsOfTheOtherPairs()
    {
        var o = TenModelPairs();
        var set = ReferencePolicy.OutPerSample(2).For(o, 0);
        // The mate (1) is left out; each other pair has exactly one OUT and one IN model for every sample,
        // so the first two OUT models are the OUT ones of pairs (2, 3) and (4, 5), likewise the IN ones.
        Assert.Equal([2, 3, 4, 5, 6, 7, 8, 9], set.Models);
        Assert.Equal(2, set.PerSample);
        for (int i = 0; i < o.Samples; i++)
        {
            var used = Enumerable.Range(0, set.Count).Where(k => set.Serves(k, i)).Select(k => set.Models[k]).ToArray();
            if (o.Holdout[i])
            {
                Assert.Equal([2, 3], used); // nobody trained on the holdout: the first two models are OUT
                continue;
            }
            int out23 = o.Keep[2][i] ? 3 : 2, out45 = o.Keep[4][i] ? 5 : 4;
            Assert.Equal(new[] { 2, 3, 4, 5 }, used.Order());
            Assert.Equal(2, used.Count(m => !o.Keep[m][i]));
            Assert.Contains(out23, used);
            Assert.Contains(out45, used);
        }

        // Four other pairs: at most 4 OUT references per sample.
        Assert.Equal(4, ReferencePolicy.OutPerSample(4).For(o, 0).PerSample);
        var e = Assert.Throws<InputException>(() => ReferencePolicy.OutPerSample(5).For(o, 0));
        Assert.Contains("5 OUT references per sample asked, but sample 0 has only 4", e.Message);
        Assert.Throws<InputException>(() => ReferencePolicy.OutPerSample(0));
    }

    [Fact]
    public void OutKAttacksEachSampleWithItsOwnReferences()
    {
        // Every model has its own level, so which models serve a sample changes its score.
        var keep = KeepPlan.WithHoldout(KeepPlan.Create(10, 40, KeepPlan.ComplementaryPairs, seed: 3), 10);
        var rng = new MiaLab.Core.Randomness.StableRandom(9);
        var phi = keep.Select((k, m) => k.Select(member => (member ? 1.5 : 0.0) + (0.2 * m) + (0.3 * AttackTestData.Normal(rng))).ToArray()).ToArray();
        var o = AttackTestData.FromStableLogits(phi, keep, 1, KeepPlan.HoldoutMask(40, 10));
        var set = ReferencePolicy.OutPerSample(2).For(o, 0);
        int[] Serving(int i) => Enumerable.Range(0, set.Count).Where(k => set.Serves(k, i)).Select(k => set.Models[k]).ToArray();

        // LiRA with per-sample variance reads only a sample's own references: each score equals the
        // score of that sample under the plain list of the four models serving it.
        foreach (bool online in new[] { true, false })
        {
            var options = TestAttackOptions.Lira(LiraVariance.PerSample);
            var outK = online ? Lira.Online(o, 0, set, options) : Lira.Offline(o, 0, set, options);
            for (int i = 0; i < 40; i++)
            {
                var alone = online ? Lira.Online(o, 0, Serving(i), options) : Lira.Offline(o, 0, Serving(i), options);
                Assert.Equal(alone.Scores[i], outK.Scores[i], 12);
            }
        }

        // RMIA offline with a = 1: Pr(x) = the mean Pr of the two OUT models serving x, z likewise.
        static double Pr(double phi) => 1 / (1 + Math.Exp(-(double)(float)phi));
        var lr = new double[o.Samples];
        for (int i = 0; i < o.Samples; i++)
        {
            var outs = Serving(i).Where(m => !o.Keep[m][i]).ToArray();
            Assert.Equal(2, outs.Length);
            lr[i] = Math.Log(Pr(phi[0][i])) - Math.Log(outs.Average(m => Pr(phi[m][i])));
        }
        var expected = Rmia.CountScores(lr, 1, o.Holdout.Select(h => !h).ToArray(), o.Holdout, 1.0);
        var rmia = Rmia.Run(o, 0, set, TestAttackOptions.Rmia(Online: false, Gamma: 1, OfflineA: 1));
        for (int i = 0; i < 40; i++) Assert.Equal(expected[i], rmia.Scores[i], 12);
        // With every OUT model instead, the scores differ.
        Assert.NotEqual(rmia.Scores, Rmia.Run(o, 0, set.Models, TestAttackOptions.Rmia(Online: false, Gamma: 1, OfflineA: 1)).Scores);
    }

    [Fact]
    public void ExplicitListsArePerTargetAndMayNotNameTheTarget()
    {
        var o = TenModelPairs();
        var lists = ReferencePolicy.PerTarget(new Dictionary<int, IReadOnlyList<int>> { [0] = [2, 3], [1] = [4, 5, 6] });
        Assert.Equal([2, 3], lists.For(o, 0).Models);
        Assert.Equal([4, 5, 6], lists.For(o, 1).Models);
        Assert.Contains("no reference list for target 2", Assert.Throws<InputException>(() => lists.For(o, 2)).Message);
        var naming = ReferencePolicy.PerTarget(new Dictionary<int, IReadOnlyList<int>> { [0] = [0, 3] });
        Assert.Contains("names the target itself", Assert.Throws<InputException>(() => naming.For(o, 0)).Message);
        var outside = ReferencePolicy.PerTarget(new Dictionary<int, IReadOnlyList<int>> { [0] = [12] });
        Assert.Contains("out of range", Assert.Throws<InputException>(() => outside.For(o, 0)).Message);

        // One list for every target: a target in it is left out of its own.
        var same = ReferencePolicy.SameList([2, 3]);
        Assert.Equal([2, 3], same.For(o, 0).Models);
        Assert.Equal([3], same.For(o, 2).Models);
    }

    [Fact]
    public void TheConfigNamesThePolicy()
    {
        Assert.Equal(ReferencePolicy.AllOthers, ReferencePolicy.From(new AttacksConfig()).Kind);
        Assert.Equal("out-k (k = 3)", ReferencePolicy.From(new AttacksConfig { References = "out-k", OutReferences = 3 }).Describe());
        var lists = ReferencePolicy.From(new AttacksConfig { References = "explicit", ReferenceLists = new() { ["4"] = [1, 2] } });
        Assert.Equal([1, 2], lists.Lists![4]);
    }
}
