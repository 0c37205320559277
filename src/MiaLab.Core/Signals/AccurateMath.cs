namespace MiaLab.Core.Signals;

/// <summary>log(1 + x) and exp(x) − 1 without cancellation near 0 (.NET's double.LogP1 and
/// double.ExpM1 are the naive forms). Kahan's tricks: the rounding error of 1 + x (resp. e^x) is
/// divided back out.</summary>
internal static class AccurateMath
{
    public static double Log1P(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0) return x;
        if (double.IsPositiveInfinity(u) || u <= 0) return Math.Log(u);
        return Math.Log(u) * x / (u - 1.0);
    }

    public static double ExpM1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        if (um1 == -1.0 || double.IsPositiveInfinity(u)) return um1;
        return um1 * x / Math.Log(u);
    }
}
