using System.Numerics;
using MathNet.Numerics;
using MathNet.Numerics.Integration;

namespace MiaLab.Core.Privacy;

/// <summary>
/// The privacy-loss-random-variable accountant of Gopi, Lee and Wutschitz (NeurIPS 2021) for the
/// Poisson-sampled Gaussian mechanism, as Opacus runs it (ALGORITHMS.md §12): the PRV of one step
/// is truncated to a safe domain [−L, L] (Remark 5.6, L from the RDP bound), discretised on a mesh
/// fine enough for the ε error, mean-corrected, composed with itself T times by FFT, and ε for δ is
/// read off the composed distribution; the upper bound (estimate + ε error, at δ − δ error) is
/// returned, as a guarantee must be. Tighter than RDP for the same (σ, q, T, δ).
/// </summary>
public static class PrvAccountant
{
    public const double DefaultEpsilonError = 0.01;

    /// <summary>ε (upper bound) after T steps; δ error defaults to δ/1000 (Opacus's default).</summary>
    public static double Epsilon(double noiseMultiplier, double sampleRate, long steps, double delta,
        double epsilonError = DefaultEpsilonError, double? deltaError = null)
    {
        PrivacyArguments.Check(noiseMultiplier, sampleRate, steps, delta);
        if (noiseMultiplier == 0) return double.PositiveInfinity;
        double dErr = deltaError ?? delta / 1000;
        var prv = new SubsampledGaussianPrv(sampleRate, noiseMultiplier);
        double l = SafeDomainHalfWidth(noiseMultiplier, sampleRate, steps, epsilonError, dErr);
        double mesh = epsilonError / Math.Sqrt(steps * Math.Log(12 / dErr) / 2);
        var grid = Grid.Aligned(-l, l, mesh);
        if (grid.Size > 1 << 26)
            throw new InputException($"the PRV accountant would need a grid of {grid.Size} points for {steps} steps; use the rdp accountant");
        var (pmf, shift) = Discretise(prv, grid);
        var composed = SelfCompose(pmf, steps);
        // The sum of T variables on grid t_min + j·dt lies on the same grid shifted by T·shift.
        return EpsilonUpper(composed, grid, steps * shift, delta, dErr, epsilonError);
    }

    // Remark 5.6 as the authors' code (and Opacus) compute it: the larger of the RDP ε of all T steps
    // at δ_err/4 and of one step at δ_err/(8T), plus 3.
    private static double SafeDomainHalfWidth(double sigma, double q, long steps, double epsError, double deltaError)
    {
        double all = RdpAccountant.Epsilon(sigma, q, steps, deltaError / 4);
        double one = RdpAccountant.Epsilon(sigma, q, 1, deltaError / (8.0 * steps));
        return Math.Max(Math.Max(all, one), epsError) + 3;
    }

    /// <summary>An even number of points t_min + i·dt with t_min = −⌈L/dt⌉·dt.</summary>
    private readonly record struct Grid(double Min, double Max, int Size)
    {
        public double Step => (Max - Min) / (Size - 1);

        public double At(int i, double shift = 0) => i == Size - 1 ? Max + shift : Min + i * Step + shift;

        public static Grid Aligned(double min, double max, double dt)
        {
            min = Math.Floor(min / dt) * dt;
            max = Math.Ceiling(max / dt) * dt;
            double size = Math.Round((max - min) / dt) + 1;
            if (size > int.MaxValue - 1) throw new InputException("the PRV accountant's grid is too large; use the rdp accountant");
            int n = (int)size;
            if (n % 2 == 1) { n++; max += dt; }
            return new Grid(min, max, n);
        }
    }

    // The truncated PRV's probability of each cell [t − dt/2, t + dt/2), and the shift that makes
    // the discrete mean equal the continuous one.
    private static (double[] Pmf, double Shift) Discretise(SubsampledGaussianPrv prv, Grid grid)
    {
        double low = prv.Cdf(grid.Min), mass = prv.Cdf(grid.Max) - low;
        double Truncated(double t) => t < grid.Min ? 0 : t < grid.Max ? (prv.Cdf(t) - low) / mass : 1;
        var pmf = new double[grid.Size];
        double half = grid.Step / 2, discreteMean = 0;
        for (int i = 0; i < grid.Size; i++)
        {
            double t = grid.At(i);
            pmf[i] = Truncated(t + half) - Truncated(t - half);
            discreteMean += t * pmf[i];
        }
        double shift = Mean(Truncated, grid.Min, grid.Max) - discreteMean;
        if (Math.Abs(shift) >= half) throw new ArithmeticException("PRV accountant: the discrete mean differs from the continuous mean by half a cell");
        return (pmf, shift);
    }

    // E[X] = ∫ t dF = [t F]_a^b − ∫ F dt, piece by piece on a log-spaced partition around 0 where F
    // changes fastest.
    private static double Mean(Func<double, double> cdf, double min, double max)
    {
        int lower = (int)Math.Log10(Math.Abs(min)), upper = (int)Math.Log10(max);
        var points = new List<double> { min };
        points.AddRange(LogSpace(lower, -5, 10).Select(x => -x));
        points.Add(0);
        points.AddRange(LogSpace(-5, upper, 10));
        points.Add(max);
        double mean = 0;
        for (int i = 0; i + 1 < points.Count; i++)
        {
            double a = points[i], b = points[i + 1];
            double integral = GaussKronrodRule.Integrate(cdf, a, b, out _, out _, 1e-10, 15, 21);
            mean += b * cdf(b) - a * cdf(a) - integral;
        }
        return mean;
    }

    private static IEnumerable<double> LogSpace(double start, double stop, int count) =>
        Enumerable.Range(0, count).Select(i => Math.Pow(10, start + (stop - start) * i / (count - 1)));

    // The pmf of the sum of T independent copies: the T-th power of its DFT (a circular convolution,
    // which the truncation keeps from wrapping), rolled so that index i again means t_min + i·dt.
    private static double[] SelfCompose(double[] pmf, long times)
    {
        int n = pmf.Length;
        var spectrum = pmf.Select(p => new Complex(p, 0)).ToArray();
        ChirpDft.Forward(spectrum);
        for (int k = 0; k < n; k++) spectrum[k] = Power(spectrum[k], times);
        ChirpDft.InverseUnscaled(spectrum);
        // t_min = −(n/2 − 1)·dt, so T values at indices j_k sum to the value at index
        // Σj_k + (T − 1)(1 − n/2) ≡ Σj_k + (T − 1) + [T even]·n/2 (mod n).
        long roll = ((times - 1) + ((times - 1) % 2 == 1 ? n / 2 : 0)) % n;
        var composed = new double[n];
        for (int i = 0; i < n; i++) composed[(int)((i + roll) % n)] = spectrum[i].Real / n;
        return composed;
    }

    private static Complex Power(Complex z, long e)
    {
        Complex result = Complex.One;
        while (e > 0)
        {
            if ((e & 1) == 1) result *= z;
            z *= z;
            e >>= 1;
        }
        return result;
    }

    // δ(ε) = Σ_{t ≥ ε} p(t)(1 − e^{ε−t}); with D1(i) = Σ_{j≥i} p_j and D2(i) = Σ_{j≥i} p_j e^{−t_j},
    // the ε for δ at cell i solves D1 − e^ε D2 = δ. The cells where e^t D2 − D1 first reaches −δ give i.
    private static double EpsilonUpper(double[] pmf, Grid grid, double shift, double delta, double deltaError, double epsilonError)
    {
        int n = pmf.Length;
        if (1.0842021724855044e-19 * n > delta - deltaError)
            throw new InputException("δ is too small for the PRV accountant (floating-point error would dominate); use the rdp accountant");
        var d1 = new double[n];
        var d2 = new double[n];
        double s1 = 0, s2 = 0;
        for (int i = n - 1; i >= 0; i--)
        {
            s1 += pmf[i];
            s2 += pmf[i] * Math.Exp(-grid.At(i, shift));
            d1[i] = s1;
            d2[i] = s2;
        }
        double target = delta - deltaError;
        int first = -1;
        for (int i = 0; i < n; i++)
            if (Math.Exp(grid.At(i, shift)) * d2[i] - d1[i] >= -target) { first = i; break; }
        if (first <= 0) throw new ArithmeticException("PRV accountant: ε is outside the domain");
        return Math.Log((d1[first] - target) / d2[first]) + epsilonError;
    }

    /// <summary>The privacy loss of one step of the Poisson-sampled Gaussian mechanism (Gopi et al.,
    /// Propositions B1 and B4): its CDF at t, zero for t ≤ log(1 − q).</summary>
    private sealed class SubsampledGaussianPrv(double q, double sigma)
    {
        private readonly double floor = Math.Log(1 - q);

        public double Cdf(double t)
        {
            if (t <= floor) return 0;
            double z = Math.Log((Math.Exp(t) + q - 1) / q);
            double a = (2 * z * sigma * sigma - 1) / (2 * Math.Sqrt(2) * sigma);
            double b = (2 * z * sigma * sigma + 1) / (2 * Math.Sqrt(2) * sigma);
            return -q * SpecialFunctions.Erfc(a) / 2 - (1 - q) * SpecialFunctions.Erfc(b) / 2 + 1.0;
        }
    }
}
