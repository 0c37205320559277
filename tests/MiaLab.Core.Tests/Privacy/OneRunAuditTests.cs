using MiaLab.Core.Privacy;

namespace MiaLab.Core.Tests.Privacy;

public class OneRunAuditTests
{
    [Fact]
    public void PValueIsTheBinomialTailAtDeltaZero()
    {
        // r = 10 guesses, all right, ε = 0: P[Bin(10, ½) ≥ 10] = 2^-10.
        Assert.Equal(Math.Pow(0.5, 10), OneRunAudit.PValue(100, 10, 10, 0, 0), 15);
        // ε = ln 3: q = 3/4, P[Bin(2, ¾) ≥ 1] = 1 − (1/4)² = 15/16.
        Assert.Equal(15.0 / 16, OneRunAudit.PValue(100, 2, 1, Math.Log(3), 0), 14);
    }

    [Fact]
    public void DeltaTermAddsTheirPenalty()
    {
        // r = 2, v = 2, ε = 0 (q = ½): β = ¼; α = max(P[B = 1]/1, (P[B=1] + P[B=0])/2) = max(½, ⅜) = ½;
        // p = ¼ + ½·δ·2m = ¼ + ½·0.001·2·10 = 0.26.
        Assert.Equal(0.26, OneRunAudit.PValue(10, 2, 2, 0, 0.001), 12);
    }

    [Fact]
    public void EpsilonBoundInvertsThePValue()
    {
        // 20 of 20 right: the largest ε with q^20 < 0.05 is ε = logit(0.05^(1/20)).
        double q = Math.Pow(0.05, 1.0 / 20);
        double expected = Math.Log(q / (1 - q));
        Assert.Equal(expected, OneRunAudit.EpsilonLowerBound(1000, 20, 20, 0, 0.05), 9);
        // Guessing at chance gives no evidence.
        Assert.Equal(0, OneRunAudit.EpsilonLowerBound(1000, 100, 50, 0, 0.05));
    }

    [Fact]
    public void PerfectSeparationGivesLargeEpsilonAndRandomScoresGiveNone()
    {
        int m = 1000;
        var random = new MiaLab.Core.Randomness.StableRandom(7);
        var included = Enumerable.Range(0, m).Select(_ => random.Next(2) == 1).ToArray();
        var perfect = included.Select(b => b ? 1.0 + random.NextDouble() : random.NextDouble()).ToArray();
        var noise = included.Select(_ => random.NextDouble()).ToArray();
        var strong = OneRunAudit.Run(perfect, included);
        var none = OneRunAudit.Run(noise, included);
        Assert.True(strong.Epsilon > 3, $"ε̂ = {strong.Epsilon}");
        Assert.True(none.Epsilon < 0.5, $"ε̂ = {none.Epsilon}");
        Assert.Equal(strong.Best.Guesses, strong.Best.Correct);
        Assert.Equal(included.Count(b => b), strong.Included);
    }
}
