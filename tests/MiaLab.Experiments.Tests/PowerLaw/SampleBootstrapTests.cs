using MiaLab.Core.Evaluation;
using MiaLab.Experiments.PowerLaw;

namespace MiaLab.Experiments.Tests.PowerLaw;

public sealed class SampleBootstrapTests
{
    private static readonly double[] Levels = [0.1, 0.01];

    /// The hand-counted scores of <see cref="AdvantageTests"/> as pairs of 2 targets × 10 samples: target 0 holds
    /// the first ten scores, target 1 the other ten, so each sample has a pair in each target.
    private static PooledScores Pairs()
    {
        var (scores, members) = AdvantageTests.HandCounted();
        var keep = new[] { members[..10], members[10..] };
        return PooledScores.From([0, 1], [scores[..10], scores[10..]], keep);
    }

    [Fact]
    public void EveryWeightOneIsTheMeasuredValue()
    {
        var pairs = Pairs();
        var values = new double[Levels.Length];
        new SampleBootstrap(pairs).Advantages(Enumerable.Repeat(1, 10).ToArray(), Levels, values);
        var roc = pairs.Roc();
        Assert.Equal(AdvantageAt.From(roc, 0.1).Value, values[0], 12);
        Assert.Equal(AdvantageAt.From(roc, 0.01).Value, values[1], 12);
    }

    [Fact]
    public void ADrawnSampleBringsAllItsPairs()
    {
        // Weight 2 on sample 0 (the member at 14 and the non-member at 9.5) and 0 on sample 5 (the member at 9 and
        // the non-member at 4): members 10 (2 + 8), non-members 10. Above 9.5: members 14 ×2, 13, 12, 11, 10 = 6;
        // then the non-member at 9.5 ×2 (FPR 2/10). FPR ≤ 10% admits only FPR 0: TPR 6/10.
        var weights = Enumerable.Repeat(1, 10).ToArray();
        weights[0] = 2;
        weights[5] = 0;
        var values = new double[Levels.Length];
        new SampleBootstrap(Pairs()).Advantages(weights, Levels, values);
        Assert.Equal(0.6, values[0], 12);
    }

    [Fact]
    public void ResamplesRepeatForASeedAndDifferAcrossSeeds()
    {
        var bootstrap = new SampleBootstrap(Pairs());
        var a = bootstrap.Replicates(Levels, 200, seed: 4);
        Assert.Equal(a, bootstrap.Replicates(Levels, 200, seed: 4));
        Assert.NotEqual(a[0], bootstrap.Replicates(Levels, 200, seed: 5)[0]);
        // The replicates spread around the value 0.5 and stay valid advantages.
        Assert.All(a[0], v => Assert.InRange(v, -1.0, 1.0));
        Assert.True(a[0].Distinct().Count() > 3);
        Assert.InRange(a[0].Average(), 0.3, 0.7);
    }
}
