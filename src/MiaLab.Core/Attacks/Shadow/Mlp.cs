using MiaLab.Core.Randomness;

namespace MiaLab.Core.Attacks.Shadow;

/// <summary>
/// A one-hidden-layer perceptron for binary classification: standardised input → Hidden ReLU
/// units → one logit; binary cross-entropy, Adam, mini-batches, seeded initialisation and
/// shuffling (so the same seed gives the same network).
/// </summary>
public sealed class Mlp : IBinaryClassifier
{
    public const int DefaultHidden = 64;
    public const int DefaultEpochs = 30;
    public const int DefaultBatch = 128;
    public const double DefaultLearningRate = 1e-3;

    private readonly Standardizer standardizer;
    private readonly int dim;
    private readonly int hidden;
    private readonly double[] w1; // [hidden, dim]
    private readonly double[] b1; // [hidden]
    private readonly double[] w2; // [hidden]
    private readonly double b2;

    private Mlp(Standardizer standardizer, int dim, int hidden, double[] w1, double[] b1, double[] w2, double b2)
    {
        this.standardizer = standardizer;
        this.dim = dim;
        this.hidden = hidden;
        this.w1 = w1;
        this.b1 = b1;
        this.w2 = w2;
        this.b2 = b2;
    }

    /// <param name="rows">n rows of <paramref name="dim"/> features, row-major.</param>
    public static Mlp Fit(double[] rows, int dim, bool[] y, StableRandom rng, int hidden = DefaultHidden, int epochs = DefaultEpochs,
        int batch = DefaultBatch, double learningRate = DefaultLearningRate)
    {
        if (dim < 1 || rows.Length != y.Length * dim)
            throw new InputException($"the MLP needs {y.Length}×{dim} feature values, got {rows.Length}");
        if (y.Length == 0) throw new InputException("the MLP needs at least one training row");
        int n = y.Length;
        var standardizer = new Standardizer(rows, dim);
        double[] z = standardizer.ApplyAll(rows);

        // Parameters in one vector for Adam: w1 | b1 | w2 | b2.
        int o1 = 0, oB1 = hidden * dim, oW2 = oB1 + hidden, oB2 = oW2 + hidden, count = oB2 + 1;
        var theta = new double[count];
        double bound1 = Math.Sqrt(6.0 / dim), bound2 = Math.Sqrt(6.0 / (hidden + 1));
        for (int i = 0; i < hidden * dim; i++) theta[o1 + i] = ((2 * rng.NextDouble()) - 1) * bound1;
        for (int i = 0; i < hidden; i++) theta[oW2 + i] = ((2 * rng.NextDouble()) - 1) * bound2;

        var grad = new double[count];
        var m = new double[count];
        var v = new double[count];
        const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        double pow1 = 1, pow2 = 1;
        var h = new double[hidden];
        var order = Enumerable.Range(0, n).ToArray();

        for (int epoch = 0; epoch < epochs; epoch++)
        {
            rng.Shuffle(order.AsSpan());
            for (int start = 0; start < n; start += batch)
            {
                int end = Math.Min(start + batch, n);
                Array.Clear(grad);
                for (int k = start; k < end; k++)
                {
                    int r = order[k];
                    var zr = z.AsSpan(r * dim, dim);
                    double logit = theta[oB2];
                    for (int j = 0; j < hidden; j++)
                    {
                        double a = VectorMath.Dot(theta.AsSpan(o1 + (j * dim), dim), zr) + theta[oB1 + j];
                        h[j] = a > 0 ? a : 0;
                        logit += theta[oW2 + j] * h[j];
                    }
                    double dLogit = (VectorMath.Sigmoid(logit) - (y[r] ? 1.0 : 0.0)) / (end - start);
                    grad[oB2] += dLogit;
                    for (int j = 0; j < hidden; j++)
                    {
                        if (h[j] <= 0) continue;
                        grad[oW2 + j] += dLogit * h[j];
                        double dh = dLogit * theta[oW2 + j];
                        grad[oB1 + j] += dh;
                        VectorMath.Axpy(dh, zr, grad.AsSpan(o1 + (j * dim), dim));
                    }
                }
                pow1 *= beta1;
                pow2 *= beta2;
                double stepSize = learningRate * Math.Sqrt(1 - pow2) / (1 - pow1);
                for (int i = 0; i < count; i++)
                {
                    m[i] = (beta1 * m[i]) + ((1 - beta1) * grad[i]);
                    v[i] = (beta2 * v[i]) + ((1 - beta2) * grad[i] * grad[i]);
                    theta[i] -= stepSize * m[i] / (Math.Sqrt(v[i]) + eps);
                }
            }
        }
        return new Mlp(standardizer, dim, hidden, theta[o1..oB1], theta[oB1..oW2], theta[oW2..oB2], theta[oB2]);
    }

    public double PredictProbability(ReadOnlySpan<double> features)
    {
        if (features.Length != dim) throw new InputException($"the MLP expects {dim} features, got {features.Length}");
        Span<double> z = dim <= 512 ? stackalloc double[dim] : new double[dim];
        standardizer.Apply(features, z);
        double logit = b2;
        for (int j = 0; j < hidden; j++)
        {
            double a = VectorMath.Dot(w1.AsSpan(j * dim, dim), z) + b1[j];
            if (a > 0) logit += w2[j] * a;
        }
        return VectorMath.Sigmoid(logit);
    }
}
