using MiaLab.Core.Privacy;

namespace MiaLab.Core.Tests.Privacy;

// Expected values are the ones Opacus publishes in its own tests (opacus/tests/accountants_test.py
// and prv_accountant.py, the latter computed with Microsoft's prv_accountant).
public class AccountantTests
{
    [Fact]
    public void RdpMatchesOpacusToOneMillionth()
    {
        // σ = 1.5, q = 0.04, int(90 / 0.04) = 2250 steps, δ = 1e-5 → 7.32911117143.
        double eps = RdpAccountant.Epsilon(1.5, 0.04, 2250, 1e-5);
        Assert.True(Math.Abs(eps - 7.32911117143) < 1e-6, $"ε = {eps:R}");
    }

    [Fact]
    public void RdpOrdersAreOpacusDefaults()
    {
        var orders = RdpAccountant.Orders;
        Assert.Equal(99 + 52, orders.Count);
        Assert.Equal(1.1, orders[0]);
        Assert.Equal(2.0, orders[9]); // 1 + 10/10 takes the integer-order formula
        Assert.Equal(10.9, orders[98]);
        Assert.Equal(12.0, orders[99]);
        Assert.Equal(63.0, orders[^1]);
    }

    [Fact]
    public void RdpOfTheFullBatchGaussianIsClosedForm()
    {
        // q = 1: the Gaussian mechanism, RDP(α) = α / (2σ²) exactly.
        Assert.Equal(2.5 / (2 * 4.0), RdpAccountant.Rdp(1.0, 2.0, 2.5), 15);
        // Integer and fractional series agree with each other where they meet (continuity in α).
        double below = RdpAccountant.Rdp(0.01, 1.0, 3 - 1e-7), at = RdpAccountant.Rdp(0.01, 1.0, 3);
        Assert.True(Math.Abs(below - at) < 1e-6 * at, $"{below} vs {at}");
    }

    [Fact]
    public void RdpNoiseMultiplierMatchesOpacus()
    {
        // ε = 8, δ = 1e-5, q = 0.04: 90 epochs (2250 steps) → 1.416; 2000 steps → 1.3562 (4 places).
        long steps = PrivacyAccounting.StepsForEpochs(90, 0.04);
        Assert.Equal(2250, steps);
        Assert.Equal(1.416, PrivacyAccounting.NoiseMultiplier("rdp", 8, 1e-5, 0.04, steps), 4);
        Assert.Equal(1.3562, PrivacyAccounting.NoiseMultiplier("rdp", 8, 1e-5, 0.04, 2000), 4);
    }

    [Fact]
    public void NoiseMultiplierReachesTheTargetFromBelow()
    {
        double sigma = PrivacyAccounting.NoiseMultiplier("rdp", 4, 1e-5, 0.01, 5000);
        double eps = RdpAccountant.Epsilon(sigma, 0.01, 5000, 1e-5);
        Assert.InRange(eps, 4 - PrivacyAccounting.EpsilonTolerance, 4);
    }

    [Fact]
    public void PrvMatchesOpacus()
    {
        // σ = 1.5, q = 0.04, int(90 // 0.04) = 2249 steps, δ = 1e-5 → 6.777395712150674 (Opacus: 7 places).
        double eps = PrvAccountant.Epsilon(1.5, 0.04, 2249, 1e-5);
        Assert.True(Math.Abs(eps - 6.777395712150674) < 1e-6, $"ε = {eps:R}");
        Assert.True(eps < RdpAccountant.Epsilon(1.5, 0.04, 2249, 1e-5), "PRV is the tighter accountant");
    }

    [Theory]
    [InlineData(0.8, 0.001, 100, 0.270403364058018680360362395731)]
    [InlineData(0.8, 0.05, 100, 6.74105193941409996938318727189)]
    [InlineData(1.5, 0.2, 100, 8.49897785912163072907787864096)]
    [InlineData(2.0, 0.05, 1000, 4.17279986668931890392286732094)]
    [InlineData(3.0, 0.05, 20000, 13.9611146992367061159256991232)]
    [InlineData(2.0, 0.001, 50000, 0.491354910211401318953505779064)]
    public void PrvMatchesMicrosoftsAccountant(double sigma, double q, int steps, double expected)
    {
        // Opacus checks these at δ = 1e-6 to 4 places.
        Assert.Equal(expected, PrvAccountant.Epsilon(sigma, q, steps, 1e-6), 4);
    }

    [Fact]
    public void PrvNoiseMultiplierMatchesOpacus()
    {
        // Opacus also publishes 1.34765625 for 90 epochs; one search (≈ 15 PRV evaluations) is enough here.
        Assert.Equal(1.2915, PrivacyAccounting.NoiseMultiplier("prv", 8, 1e-5, 0.04, 2000), 4);
    }

    [Fact]
    public void NoNoiseMeansNoGuarantee()
    {
        Assert.Equal(double.PositiveInfinity, RdpAccountant.Epsilon(0, 0.01, 100, 1e-5));
        Assert.Equal(double.PositiveInfinity, PrvAccountant.Epsilon(0, 0.01, 100, 1e-5));
    }

    [Theory]
    [InlineData(-0.1, 0.01, 100, 1e-5, "σ must be a finite number ≥ 0")]
    [InlineData(1.0, 0.0, 100, 1e-5, "sample rate q must be in (0, 1]")]
    [InlineData(1.0, 1.5, 100, 1e-5, "sample rate q must be in (0, 1]")]
    [InlineData(1.0, 0.01, 100, 0.0, "δ must be in (0, 1)")]
    [InlineData(1.0, 0.01, 100, 1.0, "δ must be in (0, 1)")]
    [InlineData(1.0, 0.01, 0, 1e-5, "steps must be at least 1")]
    public void BadArgumentsAreUserErrors(double sigma, double q, long steps, double delta, string message)
    {
        Assert.Contains(message, Assert.Throws<InputException>(() => RdpAccountant.Epsilon(sigma, q, steps, delta)).Message);
        Assert.Contains(message, Assert.Throws<InputException>(() => PrvAccountant.Epsilon(sigma, q, steps, delta)).Message);
    }

    [Fact]
    public void AnUnreachableTargetIsAUserError()
    {
        // RDP's ε can never fall below log(1/δ)/(63 − 1) ≈ 0.19 at δ = 1e-5 with orders up to 63.
        var e = Assert.Throws<InputException>(() => PrivacyAccounting.NoiseMultiplier("rdp", 0.1, 1e-5, 0.01, 1000));
        Assert.Contains("no noise multiplier", e.Message);
        Assert.Throws<InputException>(() => PrivacyAccounting.NoiseMultiplier("moments", 1, 1e-5, 0.01, 1000));
    }
}
