using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace MiaLab.Core.Privacy;

/// <summary>
/// The discrete Fourier transform of any length n by Bluestein's chirp-z algorithm over power-of-two
/// FFTs. MathNet's own transform of lengths that are not powers of two computes its chirp
/// exp(iπk²/n) from k² directly; at n ≈ 4·10⁵, πk²/n reaches 10⁶ radians and the chirp loses about
/// six digits, which the PRV accountant's T-fold power then magnifies. Here the chirp is taken
/// from k² mod 2n, exactly, so the result is as accurate as the power-of-two FFTs (≈1e-15).
/// </summary>
internal static class ChirpDft
{
    /// <summary>X_k = Σ_j x_j e^{−2πi jk/n}, in place.</summary>
    public static void Forward(Complex[] x)
    {
        int n = x.Length;
        if (n <= 1) return;
        if ((n & (n - 1)) == 0)
        {
            Fourier.Forward(x, FourierOptions.NoScaling);
            return;
        }
        int m = 1;
        while (m < 2 * n - 1) m <<= 1;
        var chirp = new Complex[n];
        long twoN = 2L * n;
        for (long k = 0; k < n; k++)
            chirp[k] = Complex.FromPolarCoordinates(1, Math.PI * (k * k % twoN) / n);
        var a = new Complex[m];
        var b = new Complex[m];
        for (int j = 0; j < n; j++) a[j] = x[j] * Complex.Conjugate(chirp[j]);
        b[0] = chirp[0];
        for (int j = 1; j < n; j++) b[j] = b[m - j] = chirp[j];
        Fourier.Forward(a, FourierOptions.NoScaling);
        Fourier.Forward(b, FourierOptions.NoScaling);
        for (int j = 0; j < m; j++) a[j] *= b[j];
        Fourier.Inverse(a, FourierOptions.NoScaling);
        for (int k = 0; k < n; k++) x[k] = Complex.Conjugate(chirp[k]) * a[k] / m;
    }

    /// <summary>x_j = Σ_k X_k e^{+2πi jk/n} (no 1/n), in place: conj(DFT(conj(X))).</summary>
    public static void InverseUnscaled(Complex[] x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = Complex.Conjugate(x[i]);
        Forward(x);
        for (int i = 0; i < x.Length; i++) x[i] = Complex.Conjugate(x[i]);
    }
}
