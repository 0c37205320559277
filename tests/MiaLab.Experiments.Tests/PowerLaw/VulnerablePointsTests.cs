using MiaLab.Core.Randomness;
using MiaLab.Experiments.PowerLaw;

namespace MiaLab.Experiments.Tests.PowerLaw;

public sealed class VulnerablePointsTests
{
    /// 40 targets × 50 samples on a Bernoulli plan. Samples 7 and 31 leak: their score is +10 when the target
    /// trained on them; every other score is noise.
    private static (PooledScores Pairs, bool[][] Keep) Leaky()
    {
        var random = new StableRandom(8);
        var keep = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, 50).Select(_ => random.NextDouble() < 0.5).ToArray()).ToArray();
        var scores = Enumerable.Range(0, 40).Select(t => Enumerable.Range(0, 50)
            .Select(i => random.NextGaussian() + (i is 7 or 31 && keep[t][i] ? 10 : 0)).ToArray()).ToList();
        return (PooledScores.From(Enumerable.Range(0, 40).ToList(), scores, keep), keep);
    }

    [Theory]
    [InlineData(50, 0.01, 1)]
    [InlineData(50, 0.04, 2)]
    [InlineData(5120, 0.001, 5)]
    [InlineData(5120, 0.01, 51)]
    [InlineData(10, 0.001, 1)]
    public void TheTopFractionHoldsAtLeastOneSample(int samples, double fraction, int count) =>
        Assert.Equal(count, VulnerablePoints.Count(samples, fraction));

    [Fact]
    public void TheLeakySamplesAreChosenOnEachHalf()
    {
        var (pairs, _) = Leaky();
        var even = pairs.Where((t, _) => t % 2 == 0);
        var odd = pairs.Where((t, _) => t % 2 == 1);
        Assert.Equal([7, 31], VulnerablePoints.Top(even, 50, 0.1, 2).Order());
        Assert.Equal([7, 31], VulnerablePoints.Top(odd, 50, 0.1, 2).Order());
        // Every IN score of sample 7 reaches the half's 10%-FPR threshold; about a tenth of its OUT scores do too.
        var (v, _) = VulnerablePoints.PerSample(even, 50, 0.1);
        Assert.InRange(v[7], 0.7, 1.0);
        Assert.All(Enumerable.Range(0, 50).Where(i => i is not (7 or 31)), i => Assert.InRange(v[i], -0.5, 0.5));
    }

    [Fact]
    public void TheChosenSamplesAreMeasuredOnTheOtherHalf()
    {
        var (pairs, keep) = Leaky();
        var subset = VulnerablePoints.Evaluate(pairs, 50, 0.1, 0.04);
        Assert.Equal(2, subset.Chosen);
        // Both halves choose samples 7 and 31, so the pairs are theirs against all 40 targets.
        Assert.Equal(80, subset.Pairs.Count);
        Assert.All(subset.Pairs.Samples, i => Assert.True(i is 7 or 31));
        Assert.Equal(40, subset.Pairs.Targets.Distinct().Count());
        for (int k = 0; k < subset.Pairs.Count; k++)
            Assert.Equal(keep[subset.Pairs.Targets[k]][subset.Pairs.Samples[k]], subset.Pairs.Members[k]);
        // On them the attack finds every member: TPR 1, at the highest FPR ≤ 10% the noise allows.
        var a = AdvantageAt.From(subset.Pairs.Roc(), 0.1);
        Assert.Equal(1.0, a.Tpr, 12);
        Assert.Equal(1 - a.Fpr, a.Value, 12);
        Assert.InRange(a.Fpr, 0.0, 0.1);
    }

    [Fact]
    public void ChoosingOnOneHalfAndMeasuringOnTheOtherDoesNotFlatterNoise()
    {
        // Pure noise: the luckiest sample of one half is no better than chance on the other half.
        var random = new StableRandom(3);
        var keep = Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, 100).Select(_ => random.NextDouble() < 0.5).ToArray()).ToArray();
        var scores = Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, 100).Select(_ => random.NextGaussian()).ToArray()).ToList();
        var pairs = PooledScores.From(Enumerable.Range(0, 200).ToList(), scores, keep);
        var crossFitted = AdvantageAt.From(VulnerablePoints.Evaluate(pairs, 100, 0.1, 0.05).Pairs.Roc(), 0.1);
        var even = pairs.Where((t, _) => t % 2 == 0);
        var top = VulnerablePoints.Top(even, 100, 0.1, 5).ToHashSet();
        var sameHalf = AdvantageAt.From(even.Where((_, i) => top.Contains(i)).Roc(), 0.1);
        Assert.True(Math.Abs(crossFitted.Value) < 0.05, $"noise chosen and measured apart: {crossFitted.Value} [{crossFitted.Low}, {crossFitted.High}]");
        Assert.True(sameHalf.Value > crossFitted.Value + 0.05, $"same half {sameHalf.Value} vs cross-fitted {crossFitted.Value}");
    }
}
