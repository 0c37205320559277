using System.Numerics;

namespace MiaLab.Core.Attacks.Shadow;

/// <summary>The few dense kernels the shadow classifiers need, SIMD where the hardware allows.</summary>
internal static class VectorMath
{
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int n = a.Length, i = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var acc = Vector<double>.Zero;
            for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
                acc += new Vector<double>(a[i..]) * new Vector<double>(b[i..]);
            sum = Vector.Sum(acc);
        }
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>y += alpha · x.</summary>
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        int n = x.Length, i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var va = new Vector<double>(alpha);
            for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
                (new Vector<double>(y[i..]) + (va * new Vector<double>(x[i..]))).CopyTo(y[i..]);
        }
        for (; i < n; i++) y[i] += alpha * x[i];
    }

    public static double Sigmoid(double z) => z >= 0 ? 1.0 / (1.0 + Math.Exp(-z)) : Math.Exp(z) / (1.0 + Math.Exp(z));

    /// <summary>log(1 + e^z) without overflow.</summary>
    public static double Softplus(double z) => Math.Max(z, 0) + Math.Log(1.0 + Math.Exp(-Math.Abs(z)));
}

/// <summary>Per-feature centring and scaling learnt on training rows; constant features keep scale 1.</summary>
internal sealed class Standardizer
{
    public Standardizer(double[] rows, int dim)
    {
        int n = rows.Length / dim;
        Mean = new double[dim];
        Scale = new double[dim];
        for (int r = 0; r < n; r++)
            for (int j = 0; j < dim; j++) Mean[j] += rows[(r * dim) + j];
        for (int j = 0; j < dim; j++) Mean[j] /= n;
        for (int r = 0; r < n; r++)
            for (int j = 0; j < dim; j++)
            {
                double d = rows[(r * dim) + j] - Mean[j];
                Scale[j] += d * d;
            }
        for (int j = 0; j < dim; j++)
        {
            double sd = Math.Sqrt(Scale[j] / n);
            Scale[j] = sd > 1e-12 ? sd : 1.0;
        }
    }

    public double[] Mean { get; }
    public double[] Scale { get; }

    public void Apply(ReadOnlySpan<double> x, Span<double> z)
    {
        for (int j = 0; j < x.Length; j++) z[j] = (x[j] - Mean[j]) / Scale[j];
    }

    public double[] ApplyAll(double[] rows)
    {
        var z = new double[rows.Length];
        int dim = Mean.Length;
        for (int r = 0; r < rows.Length / dim; r++)
            Apply(rows.AsSpan(r * dim, dim), z.AsSpan(r * dim, dim));
        return z;
    }
}

/// <summary>A trained binary classifier: P(member) for one feature row.</summary>
public interface IBinaryClassifier
{
    double PredictProbability(ReadOnlySpan<double> features);
}
