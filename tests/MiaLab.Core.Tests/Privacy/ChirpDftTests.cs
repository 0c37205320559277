using System.Numerics;
using MiaLab.Core.Privacy;

namespace MiaLab.Core.Tests.Privacy;

public class ChirpDftTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(101)]
    public void EqualsTheDefiningSum(int n)
    {
        var random = new MiaLab.Core.Randomness.StableRandom(3);
        var x = Enumerable.Range(0, n).Select(_ => new Complex(random.NextDouble() - 0.5, random.NextDouble() - 0.5)).ToArray();
        var fast = (Complex[])x.Clone();
        ChirpDft.Forward(fast);
        for (int k = 0; k < n; k++)
        {
            Complex sum = 0;
            for (int j = 0; j < n; j++) sum += x[j] * Complex.FromPolarCoordinates(1, -2 * Math.PI * (j * (long)k % n) / n);
            Assert.True((fast[k] - sum).Magnitude < 1e-12, $"bin {k}: {fast[k]} vs {sum}");
        }
        ChirpDft.InverseUnscaled(fast);
        for (int j = 0; j < n; j++) Assert.True((fast[j] / n - x[j]).Magnitude < 1e-13);
    }

    [Fact]
    public void StaysAccurateAtTheAccountantsLengths()
    {
        // A length where MathNet's own non-power-of-two transform loses ~1e-10 on a round trip.
        int n = 400_002;
        var random = new MiaLab.Core.Randomness.StableRandom(5);
        var x = Enumerable.Range(0, n).Select(_ => new Complex(random.NextDouble(), 0)).ToArray();
        var y = (Complex[])x.Clone();
        ChirpDft.Forward(y);
        ChirpDft.InverseUnscaled(y);
        double worst = 0;
        for (int j = 0; j < n; j++) worst = Math.Max(worst, Math.Abs(y[j].Real / n - x[j].Real));
        Assert.True(worst < 1e-13, $"round-trip error {worst:E2}");
    }
}
