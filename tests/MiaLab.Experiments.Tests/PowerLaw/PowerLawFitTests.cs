using MiaLab.Core;
using MiaLab.Core.Randomness;
using MiaLab.Experiments.PowerLaw;

namespace MiaLab.Experiments.Tests.PowerLaw;

public sealed class PowerLawFitTests
{
    private static readonly int[] Shots = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

    private static double Law(double betaS, double beta0, int s) => Math.Exp(-betaS * Math.Log(s) - beta0);

    [Theory]
    [InlineData(0.5, 1.2)]
    [InlineData(0.37, -0.4)]
    [InlineData(1.1, 3.0)]
    public void AnExactPowerLawIsRecoveredExactly(double betaS, double beta0)
    {
        var line = PowerLawFit.Fit(Shots.Select(s => (s, Law(betaS, beta0, s))).ToList());
        Assert.Equal(betaS, line.BetaS, 12);
        Assert.Equal(beta0, line.Beta0, 12);
        Assert.Equal(1.0, line.RSquared, 12);
        Assert.Equal(Shots, line.Shots);
    }

    [Fact]
    public void TheLawIsTheLeastSquaresLineOfLogAdvantageOnLogS()
    {
        // Three points off a line: log v = 0, −1, −1 at log S = 0, log 2, log 4. By hand, with x = (0, 1, 2)·log 2:
        // slope = Σ(x − x̄)(y − ȳ)/Σ(x − x̄)² = (−1·⅔ + 0 + 1·(−⅓))/(2·log 2) = −1/(2 log 2), so β_S = 1/(2 log 2) = 0.7213;
        // intercept = ȳ − slope·x̄ = −⅔ + ½ = −⅙, so β_0 = ⅙; residuals (⅙, −⅓, ⅙) give R² = 1 − (1/6)/(2/3) = ¾.
        var line = PowerLawFit.Fit([(1, 1.0), (2, Math.Exp(-1)), (4, Math.Exp(-1))]);
        Assert.Equal(1 / (2 * Math.Log(2)), line.BetaS, 12);
        Assert.Equal(1.0 / 6, line.Beta0, 12);
        Assert.Equal(0.75, line.RSquared, 12);
    }

    [Fact]
    public void TheSForATargetAdvantageSolvesTheLaw()
    {
        var line = new LawLine(0.5, 1.0, 1, Shots);
        double s = line.ShotsFor(1e-3);
        // log S = −(log 10⁻³ + 1)/0.5 = 2·(6.9078 − 1) = 11.8155: S ≈ 135,335.
        Assert.Equal(Math.Exp(2 * (Math.Log(1000) - 1)), s, 6);
        Assert.Equal(1e-3, line.At(s), 12);
        Assert.Equal(double.PositiveInfinity, new LawLine(-0.1, 1.0, 1, Shots).ShotsFor(1e-3));
    }

    [Fact]
    public void FewerThanThreeSValuesLeftIsAClearError()
    {
        var e = Assert.Throws<InputException>(() => PowerLawFit.Fit([(1, 0.2), (2, 0.1), (4, 0.0), (8, -0.01)]));
        Assert.Contains("fewer than three S values left to fit", e.Message);
        Assert.Contains("S = 1, 2 of S = 1, 2, 4, 8", e.Message);

        // The estimate keeps the reason instead of throwing: S = 4 and 8 are not estimable.
        var points = new[] { 1, 2, 4, 8 }.SelectMany(s => Enumerable.Range(0, 3).Select(seed =>
            new LawPoint(s, seed, Law(0.5, 1, s), Estimable: s <= 2, Replicates: [Law(0.5, 1, s)]))).ToList();
        var estimate = PowerLawFit.Estimate(points, resamples: 10, seed: 0);
        Assert.Null(estimate.Line);
        Assert.Contains("fewer than three S values left to fit", estimate.Reason);
    }

    [Fact]
    public void ThePointEstimateFitsTheMedianOverSeeds()
    {
        // Seeds 0 and 2 lie a factor e above and below the law; the median is seed 1, exactly on it.
        var points = Shots.SelectMany(s => new[] { 1.0, 0.0, -1.0 }.Select((shift, seed) =>
            new LawPoint(s, seed, Law(0.5, 1.5, s) * Math.Exp(shift * (1 + s % 3)), true, []))).ToList();
        var estimate = PowerLawFit.Estimate(points, resamples: 0, seed: 0);
        Assert.Equal(0.5, estimate.Line!.BetaS, 12);
        Assert.Equal(1.5, estimate.Line.Beta0, 12);
        Assert.Null(estimate.BetaS); // no resamples, no interval
    }

    [Fact]
    public void ANoisyLawIsRecoveredWithinItsIntervalAndAWrongSlopeIsNot()
    {
        const double betaS = 0.5, beta0 = 1.0;
        const int seeds = 3, replicates = 400;
        var random = new StableRandom(21);
        var points = new List<LawPoint>();
        foreach (int s in Shots)
            for (int seed = 0; seed < seeds; seed++)
            {
                // Each seed's value scatters around the law by 20% (log scale); its bootstrap replicates scatter
                // around that value by as much, the sampling noise the replicates stand for.
                double value = Law(betaS, beta0, s) * Math.Exp(0.2 * random.NextGaussian());
                var draws = Enumerable.Range(0, replicates).Select(_ => value * Math.Exp(0.2 * random.NextGaussian())).ToArray();
                points.Add(new LawPoint(s, seed, value, true, draws));
            }
        var estimate = PowerLawFit.Estimate(points, resamples: 400, seed: 3, targetAdvantage: 1e-3);
        Assert.Equal(400, estimate.Fitted);
        var ci = estimate.BetaS!.Value;
        Assert.InRange(betaS, ci.Low, ci.High);
        Assert.InRange(beta0, estimate.Beta0!.Value.Low, estimate.Beta0.Value.High);
        // Informative, not vacuous: narrower than ±0.15 and far from a slope of 1 or of 0.
        Assert.True(ci.High - ci.Low < 0.3, $"β_S interval [{ci.Low}, {ci.High}]");
        Assert.True(ci.High < 1 && ci.Low > 0);
        // The extrapolated S brackets the true law's S for 10⁻³ (135,335).
        double truth = new LawLine(betaS, beta0, 1, Shots).ShotsFor(1e-3);
        Assert.InRange(truth, estimate.TargetShotsCi!.Value.Low, estimate.TargetShotsCi.Value.High);
        // The same resamples give the same interval.
        Assert.Equal(ci, PowerLawFit.Estimate(points, 400, 3).BetaS);
    }

    [Fact]
    public void MedianOfOddAndEvenCounts()
    {
        Assert.Equal(2.0, PowerLawFit.Median([3.0, 1.0, 2.0]));
        Assert.Equal(2.5, PowerLawFit.Median([4.0, 1.0, 2.0, 3.0]));
        Assert.True(double.IsNaN(PowerLawFit.Median([])));
    }
}
