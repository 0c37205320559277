using MathNet.Numerics;
using MiaLab.Core.Attacks;
using MiaLab.Core.Signals;

namespace MiaLab.Core.Privacy;

/// <summary>
/// Rényi-DP accounting of the Poisson-sampled Gaussian mechanism (Mironov, Talwar, Zhang 2019,
/// §3.3), composed over the steps of DP-SGD, and converted to (ε, δ) by Balle et al. 2020,
/// Theorem 21: ε = min over orders α of RDP(α) − (log δ + log α)/(α − 1) + log((α − 1)/α).
/// The orders and the conversion are Opacus's (ALGORITHMS.md §12), so the same (σ, q, steps, δ)
/// gives the same ε.
/// </summary>
public static class RdpAccountant
{
    /// <summary>{1 + x/10 : x = 1…99} ∪ {12, …, 63}.</summary>
    public static IReadOnlyList<double> Orders { get; } =
        Enumerable.Range(1, 99).Select(x => 1 + x / 10.0).Concat(Enumerable.Range(12, 52).Select(a => (double)a)).ToArray();

    /// <summary>ε after <paramref name="steps"/> steps at noise multiplier σ and sampling rate q, for δ.</summary>
    public static double Epsilon(double noiseMultiplier, double sampleRate, long steps, double delta) =>
        EpsilonAndOrder(noiseMultiplier, sampleRate, steps, delta).Epsilon;

    /// <summary>ε and the order α that attains it (NaN when every order gives ∞).</summary>
    public static (double Epsilon, double Order) EpsilonAndOrder(double noiseMultiplier, double sampleRate, long steps, double delta)
    {
        PrivacyArguments.Check(noiseMultiplier, sampleRate, steps, delta);
        double best = double.PositiveInfinity, order = double.NaN;
        foreach (double alpha in Orders)
        {
            double rdp = Rdp(sampleRate, noiseMultiplier, alpha) * steps;
            double eps = rdp - (Math.Log(delta) + Math.Log(alpha)) / (alpha - 1) + Math.Log((alpha - 1) / alpha);
            if (eps < best) { best = eps; order = alpha; }
        }
        return (best, order);
    }

    /// <summary>RDP of one step of the sampled Gaussian mechanism at order α (may be +∞).</summary>
    public static double Rdp(double q, double sigma, double alpha)
    {
        if (q == 0) return 0;
        if (sigma == 0) return double.PositiveInfinity;
        if (q == 1.0) return alpha / (2 * sigma * sigma);
        if (double.IsPositiveInfinity(alpha)) return double.PositiveInfinity;
        double logA = alpha == Math.Floor(alpha) ? LogAIntegerOrder(q, sigma, (int)alpha) : LogAFractionalOrder(q, sigma, alpha);
        return logA / (alpha - 1);
    }

    // A_α = Σ_i C(α, i) q^i (1−q)^(α−i) exp((i² − i)/(2σ²)) for integer α: a finite sum.
    private static double LogAIntegerOrder(double q, double sigma, int alpha)
    {
        double logA = double.NegativeInfinity;
        for (int i = 0; i <= alpha; i++)
        {
            double term = SpecialFunctions.BinomialLn(alpha, i) + i * Math.Log(q) + (alpha - i) * Math.Log(1 - q)
                + (i * (double)i - i) / (2 * sigma * sigma);
            logA = LogAdd(logA, term);
        }
        return logA;
    }

    // Fractional α: the binomial series splits at z₀ = σ² log(1/q − 1) + ½ into two halves whose
    // Gaussian tail factors come from erfc; the terms alternate in sign once i > α, so they are
    // added or subtracted by the sign of C(α, i), until both halves' terms fall below e^-30.
    private static double LogAFractionalOrder(double q, double sigma, double alpha)
    {
        double logA0 = double.NegativeInfinity, logA1 = double.NegativeInfinity;
        double z0 = sigma * sigma * Math.Log(1 / q - 1) + 0.5;
        double coefficient = 1.0; // C(α, i), updated by the ratio (α − i)/(i + 1)
        for (int i = 0; ; i++)
        {
            if (i > 0) coefficient *= (alpha - (i - 1)) / i;
            double logCoefficient = Math.Log(Math.Abs(coefficient));
            double j = alpha - i;
            double logT0 = logCoefficient + i * Math.Log(q) + j * Math.Log(1 - q);
            double logT1 = logCoefficient + j * Math.Log(q) + i * Math.Log(1 - q);
            double logE0 = Math.Log(0.5) + LogErfc((i - z0) / (Math.Sqrt(2) * sigma));
            double logE1 = Math.Log(0.5) + LogErfc((z0 - j) / (Math.Sqrt(2) * sigma));
            double logS0 = logT0 + (i * (double)i - i) / (2 * sigma * sigma) + logE0;
            double logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
            if (coefficient > 0)
            {
                logA0 = LogAdd(logA0, logS0);
                logA1 = LogAdd(logA1, logS1);
            }
            else
            {
                logA0 = LogSub(logA0, logS0);
                logA1 = LogSub(logA1, logS1);
            }
            if (Math.Max(logS0, logS1) < -30) break;
        }
        return LogAdd(logA0, logA1);
    }

    /// <summary>log erfc(x) = log 2 + log Φ(−x√2), finite far into the tail.</summary>
    private static double LogErfc(double x) => Math.Log(2) + Gaussian.LogCdf(-x * Math.Sqrt(2));

    private static double LogAdd(double x, double y)
    {
        double a = Math.Min(x, y), b = Math.Max(x, y);
        if (double.IsNegativeInfinity(a)) return b;
        return AccurateMath.Log1P(Math.Exp(a - b)) + b;
    }

    private static double LogSub(double x, double y)
    {
        if (x < y) throw new ArithmeticException("RDP series: a log-space difference went negative");
        if (double.IsNegativeInfinity(y)) return x;
        if (x == y) return double.NegativeInfinity;
        double d = AccurateMath.ExpM1(x - y);
        return double.IsPositiveInfinity(d) ? x : Math.Log(d) + y;
    }
}
