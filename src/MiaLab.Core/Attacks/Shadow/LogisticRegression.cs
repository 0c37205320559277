namespace MiaLab.Core.Attacks.Shadow;

/// <summary>
/// L2-regularised logistic regression fitted by Newton's method with a backtracking line search.
/// Features are standardised inside; <see cref="Weights"/> and <see cref="Intercept"/> are
/// reported in the original feature units. Objective: mean binary cross-entropy
/// + ½·λ·‖w‖² on the standardised weights (the intercept is not penalised).
/// </summary>
public sealed class LogisticRegression : IBinaryClassifier
{
    private readonly Standardizer standardizer;
    private readonly double[] standardWeights;
    private readonly double standardIntercept;

    private LogisticRegression(Standardizer standardizer, double[] standardWeights, double standardIntercept, int iterations)
    {
        this.standardizer = standardizer;
        this.standardWeights = standardWeights;
        this.standardIntercept = standardIntercept;
        Iterations = iterations;
        Weights = new double[standardWeights.Length];
        double b = standardIntercept;
        for (int j = 0; j < Weights.Length; j++)
        {
            Weights[j] = standardWeights[j] / standardizer.Scale[j];
            b -= Weights[j] * standardizer.Mean[j];
        }
        Intercept = b;
    }

    /// <summary>Weights in the original feature units: P(y) = σ(w·x + b).</summary>
    public double[] Weights { get; }

    public double Intercept { get; }

    /// <summary>Newton iterations used.</summary>
    public int Iterations { get; }

    /// <param name="rows">n rows of <paramref name="dim"/> features, row-major.</param>
    /// <param name="y">n targets.</param>
    public static LogisticRegression Fit(double[] rows, int dim, bool[] y, double l2 = 1e-4, int maxIterations = 100)
    {
        if (dim < 1 || rows.Length != y.Length * dim)
            throw new InputException($"logistic regression needs {y.Length}×{dim} feature values, got {rows.Length}");
        if (y.Length == 0) throw new InputException("logistic regression needs at least one training row");
        int n = y.Length, p = dim + 1; // parameters: w (dim), then the intercept
        var standardizer = new Standardizer(rows, dim);
        double[] z = standardizer.ApplyAll(rows);

        var theta = new double[p];
        var eta = new double[n];
        var grad = new double[p];
        var hess = new double[p * p];
        var step = new double[p];
        var trial = new double[p];
        double loss = Loss(z, y, dim, theta, l2, eta);
        int it = 0;
        for (; it < maxIterations; it++)
        {
            // Gradient and Hessian of the mean loss at theta (eta holds the linear predictors).
            Array.Clear(grad);
            Array.Clear(hess);
            for (int r = 0; r < n; r++)
            {
                double pr = VectorMath.Sigmoid(eta[r]);
                double resid = pr - (y[r] ? 1.0 : 0.0);
                double w = pr * (1.0 - pr);
                var zr = z.AsSpan(r * dim, dim);
                VectorMath.Axpy(resid, zr, grad.AsSpan(0, dim));
                grad[dim] += resid;
                if (w < 1e-300) continue;
                for (int a = 0; a < dim; a++)
                {
                    double wa = w * zr[a];
                    VectorMath.Axpy(wa, zr[a..], hess.AsSpan((a * p) + a, dim - a));
                    hess[(a * p) + dim] += wa;
                }
                hess[(dim * p) + dim] += w;
            }
            double maxGrad = 0;
            for (int j = 0; j < p; j++)
            {
                grad[j] /= n;
                if (j < dim) grad[j] += l2 * theta[j];
                maxGrad = Math.Max(maxGrad, Math.Abs(grad[j]));
                for (int k = j; k < p; k++)
                {
                    hess[(j * p) + k] /= n;
                    hess[(k * p) + j] = hess[(j * p) + k];
                }
                if (j < dim) hess[(j * p) + j] += l2;
                hess[(j * p) + j] += 1e-12;
            }
            if (maxGrad < 1e-9) break;

            grad.CopyTo(step, 0);
            CholeskySolve(hess, p, step);

            // Backtracking (Armijo) on theta − t·step.
            double decrease = 0;
            for (int j = 0; j < p; j++) decrease += grad[j] * step[j];
            double t = 1.0, newLoss = double.PositiveInfinity;
            for (int halvings = 0; halvings < 40; halvings++, t /= 2)
            {
                for (int j = 0; j < p; j++) trial[j] = theta[j] - (t * step[j]);
                newLoss = Loss(z, y, dim, trial, l2, eta);
                if (newLoss <= loss - (1e-4 * t * decrease)) break;
            }
            if (!(newLoss < loss))
            {
                Loss(z, y, dim, theta, l2, eta); // no progress possible: restore eta and stop
                break;
            }
            trial.CopyTo(theta, 0);
            bool converged = loss - newLoss < 1e-15 * Math.Max(1.0, Math.Abs(loss));
            loss = newLoss;
            if (converged) { it++; break; }
        }
        return new LogisticRegression(standardizer, theta[..dim], theta[dim], it);
    }

    public double PredictProbability(ReadOnlySpan<double> features)
    {
        Span<double> z = features.Length <= 512 ? stackalloc double[features.Length] : new double[features.Length];
        standardizer.Apply(features, z);
        return VectorMath.Sigmoid(VectorMath.Dot(z, standardWeights) + standardIntercept);
    }

    /// <summary>Mean cross-entropy plus the penalty; fills eta with the linear predictors.</summary>
    private static double Loss(double[] z, bool[] y, int dim, double[] theta, double l2, double[] eta)
    {
        var w = theta.AsSpan(0, dim);
        double sum = 0;
        for (int r = 0; r < y.Length; r++)
        {
            double e = VectorMath.Dot(z.AsSpan(r * dim, dim), w) + theta[dim];
            eta[r] = e;
            sum += VectorMath.Softplus(e) - (y[r] ? e : 0.0);
        }
        return (sum / y.Length) + (0.5 * l2 * VectorMath.Dot(w, w));
    }

    /// <summary>Solves A x = b in place for a symmetric positive definite p×p matrix A (row-major; overwritten).</summary>
    private static void CholeskySolve(double[] a, int p, double[] b)
    {
        for (int j = 0; j < p; j++)
        {
            double d = a[(j * p) + j] - VectorMath.Dot(a.AsSpan(j * p, j), a.AsSpan(j * p, j));
            if (d <= 0) d = 1e-12;
            double l = Math.Sqrt(d);
            a[(j * p) + j] = l;
            for (int i = j + 1; i < p; i++)
                a[(i * p) + j] = (a[(i * p) + j] - VectorMath.Dot(a.AsSpan(i * p, j), a.AsSpan(j * p, j))) / l;
        }
        // L y = b, then Lᵀ x = y.
        for (int i = 0; i < p; i++)
            b[i] = (b[i] - VectorMath.Dot(a.AsSpan(i * p, i), b.AsSpan(0, i))) / a[(i * p) + i];
        for (int i = p - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < p; k++) s -= a[(k * p) + i] * b[k];
            b[i] = s / a[(i * p) + i];
        }
    }
}
