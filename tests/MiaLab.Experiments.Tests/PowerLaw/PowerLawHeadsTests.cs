using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Runs;
using MiaLab.Experiments.PowerLaw;

namespace MiaLab.Experiments.Tests.PowerLaw;

public sealed class PowerLawHeadsTests
{
    /// 60 feature vectors of width 8 in 3 classes (synthetic Gaussians).
    private static Dataset Features() => SyntheticGaussian.Generate(60, 8, 3, 2.0, seed: 4);

    private static RunConfig Heads(int[] hidden, int perPass)
    {
        var c = PowerLawPlan.DefaultBase();
        c.Plan.Models = 6;
        c.Model.Hidden = hidden;
        c.Training.Epochs = 15;
        c.Training.BatchSize = 64; // full batch: one step per epoch for every head
        c.Training.ModelsPerPass = perPass;
        return c;
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 5 })]
    public void StackedHeadsEqualHeadsTrainedOneByOne(int[] hidden)
    {
        var data = Features();
        var keep = KeepPlan.Create(6, data.Count, KeepPlan.Bernoulli, seed: 2);
        var (stacked, _, onePass) = PowerLawHeads.TrainAndQuery(Heads(hidden, 6), data, keep);
        var (alone, _, sixPasses) = PowerLawHeads.TrainAndQuery(Heads(hidden, 1), data, keep);
        Assert.Equal(1, onePass);
        Assert.Equal(6, sixPasses);
        for (int m = 0; m < 6; m++)
        {
            Assert.Equal(data.Count * 3, stacked[m].Length);
            for (int k = 0; k < stacked[m].Length; k++)
                Assert.True(Math.Abs(stacked[m][k] - alone[m][k]) <= 1e-4f * Math.Max(1f, Math.Abs(alone[m][k])),
                    $"head {m}, value {k}: stacked {stacked[m][k]} vs alone {alone[m][k]}");
        }
        // The heads differ from one another (each its own subset and seed), so the comparison is not trivial.
        Assert.NotEqual(stacked[0], stacked[1]);
    }

    [Fact]
    public void MinibatchesOfUnequalCountUnderAdamAreFlagged()
    {
        var sets = new[] { new int[20], new int[40] };
        var t = Heads([], 2).Training;
        Assert.Null(PowerLawHeads.Uneven(t, sets)); // batch 64: one batch each
        t.BatchSize = 16;
        Assert.Contains("2 to 3 batches per epoch", PowerLawHeads.Uneven(t, sets));
        t.Optimizer = "sgd";
        t.Momentum = 0;
        Assert.Null(PowerLawHeads.Uneven(t, sets)); // plain SGD: a zero-gradient step changes nothing
    }

    [Fact]
    public void EachHeadLearnsItsOwnSubset()
    {
        var data = Features();
        var keep = KeepPlan.Create(6, data.Count, KeepPlan.Bernoulli, seed: 2);
        var (logits, _, _) = PowerLawHeads.TrainAndQuery(Heads([], 6), data, keep);
        for (int m = 0; m < 6; m++)
        {
            var (train, test) = Core.Pipeline.ModelAccuracy.Of(logits[m], data.Labels, keep[m], null, 1, 3);
            Assert.True(train > 0.8, $"head {m} fits {train:0.00} of its training samples");
            Assert.True(train >= test - 0.1, $"head {m}: train {train:0.00}, test {test:0.00}");
        }
    }
}
