using MathNet.Numerics;
using MiaLab.Core.Signals;

namespace MiaLab.Core.Attacks;

/// <summary>Log-density and log-CDF of the normal distribution, finite far into the tails.</summary>
public static class Gaussian
{
    private static readonly double HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);

    /// <summary>Below this z the log-CDF uses the asymptotic (Mills ratio) series instead of erfc.</summary>
    internal const double AsymptoticBelow = -20.0;

    /// <summary>log N(x; μ, σ) = −z²/2 − log σ − ½ log 2π with z = (x − μ)/σ.</summary>
    public static double LogPdf(double x, double mean, double sigma)
    {
        double z = (x - mean) / sigma;
        return (-0.5 * z * z) - Math.Log(sigma) - HalfLogTwoPi;
    }

    /// <summary>log Φ(z) for the standard normal CDF. For z ≥ 0: log1p(−½ erfc(z/√2)); for
    /// −20 ≤ z &lt; 0: log(½ erfc(−z/√2)) (erfc keeps its relative precision there); below −20:
    /// log Φ(z) = −z²/2 − log(−z) − ½ log 2π + log(1 − 1/z² + 3/z⁴ − 15/z⁶ + …), truncated after
    /// 8 terms (relative error &lt; 1e-13 at |z| ≥ 20). Finite for every finite z.</summary>
    public static double LogCdf(double z)
    {
        if (double.IsNaN(z)) return double.NaN;
        if (z >= 0) return AccurateMath.Log1P(-0.5 * SpecialFunctions.Erfc(z / Math.Sqrt(2)));
        if (z >= AsymptoticBelow) return Math.Log(0.5 * SpecialFunctions.Erfc(-z / Math.Sqrt(2)));
        if (double.IsNegativeInfinity(z)) return double.NegativeInfinity;
        double inv = 1.0 / (z * z);
        // 1 + Σ_{k≥1} (−1)^k (2k−1)!! / z^{2k}, summed term by term.
        double series = 1.0, term = 1.0;
        for (int k = 1; k <= 8; k++)
        {
            term *= -(2 * k - 1) * inv;
            series += term;
        }
        return (-0.5 * z * z) - Math.Log(-z) - HalfLogTwoPi + Math.Log(series);
    }
}
