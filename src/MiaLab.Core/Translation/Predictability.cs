using MathNet.Numerics.LinearAlgebra;
using MiaLab.Core.Randomness;

namespace MiaLab.Core.Translation;

/// <summary>
/// The predictability error L_pred of one sample (Shafran, Peleg, Hoshen, ICCV 2021; ALGORITHMS.md §10):
/// how well a linear map from generic features of the input predicts its target, with no training
/// set at all. The positions of the G×G grid are split at random (seeded per sample) into a fit share
/// and the rest; a linear map with an intercept is fitted from the features at the fit positions to
/// the target pixels there, and L_pred is the mean absolute error at the other positions.
/// <para>The fit is ridge regression, W = (XᵀX + λI)⁻¹XᵀY with λ = ridge × ‖X‖²_F / n (the mean squared
/// row norm, so the ridge is relative to the features' scale), solved by Cholesky in whichever form is
/// smaller: this primal one when the fit has at least as many positions as features, else the dual
/// W = Xᵀ(XXᵀ + λI)⁻¹Y, which is the same W. The paper's ordinary least squares is ridge = 0:
/// then the overdetermined case is solved by QR and the underdetermined one gives the minimum-norm
/// solution (the dual with λ = 0), as numpy's lstsq does. A small ridge keeps the fit defined when
/// features are collinear (a dead ReLU channel is a zero column).</para>
/// </summary>
public static class Predictability
{
    /// <summary>The fit and test positions of one sample: a seeded permutation of 0…positions−1 cut after
    /// round(fraction × positions); both sorted, disjoint, together every position.</summary>
    public static (int[] Fit, int[] Test) Split(int positions, double fraction, StableRandom random)
    {
        if (positions < 2) throw new InputException($"the predictability grid needs at least 2 positions, got {positions}");
        int fit = Math.Clamp((int)Math.Round(fraction * positions, MidpointRounding.AwayFromZero), 1, positions - 1);
        var order = random.Permutation(positions);
        var a = order[..fit];
        var b = order[fit..];
        Array.Sort(a);
        Array.Sort(b);
        return (a, b);
    }

    /// <summary>The ridge solution W [features + 1, outputs] (the last row is the intercept) of X [n, features] → Y [n, outputs].</summary>
    public static Matrix<double> Fit(Matrix<double> x, Matrix<double> y, double ridge)
    {
        var design = WithIntercept(x);
        int n = design.RowCount, p = design.ColumnCount;
        double lambda = ridge * design.FrobeniusNorm() * design.FrobeniusNorm() / n;
        if (lambda == 0)
            return n >= p ? design.QR().Solve(y) : design.Transpose() * (design * design.Transpose()).Cholesky().Solve(y);
        if (n >= p)
        {
            var gram = design.TransposeThisAndMultiply(design);
            AddToDiagonal(gram, lambda);
            return gram.Cholesky().Solve(design.TransposeThisAndMultiply(y));
        }
        var kernel = design.TransposeAndMultiply(design);
        AddToDiagonal(kernel, lambda);
        return design.TransposeThisAndMultiply(kernel.Cholesky().Solve(y));
    }

    /// <summary>X W for features X [n, features] and W from <see cref="Fit"/>.</summary>
    public static Matrix<double> Predict(Matrix<double> x, Matrix<double> w) => WithIntercept(x) * w;

    /// <summary>L_pred of one sample.</summary>
    /// <param name="features">[positions, features] row-major: the features at each grid position.</param>
    /// <param name="target">[positions, channels] row-major: the target (resized to the grid) at each position.</param>
    public static double Error(float[] features, int featureCount, float[] target, int channels, int[] fit, int[] test, double ridge)
    {
        var x = Rows(features, featureCount, fit);
        var y = Rows(target, channels, fit);
        var w = Fit(x, y, ridge);
        var predicted = Predict(Rows(features, featureCount, test), w);
        var actual = Rows(target, channels, test);
        double sum = 0;
        for (int r = 0; r < test.Length; r++)
            for (int c = 0; c < channels; c++) sum += Math.Abs(actual[r, c] - predicted[r, c]);
        return sum / (test.Length * channels);
    }

    /// <summary>[C, G, G] (channel-major, as models and images store it) → [G·G, C] (position-major).</summary>
    public static float[] PositionMajor(ReadOnlySpan<float> maps, int channels, int positions)
    {
        var result = new float[maps.Length];
        for (int c = 0; c < channels; c++)
            for (int p = 0; p < positions; p++) result[p * channels + c] = maps[c * positions + p];
        return result;
    }

    private static Matrix<double> Rows(float[] values, int width, int[] rows)
    {
        var m = Matrix<double>.Build.Dense(rows.Length, width);
        for (int r = 0; r < rows.Length; r++)
            for (int c = 0; c < width; c++) m[r, c] = values[rows[r] * width + c];
        return m;
    }

    private static Matrix<double> WithIntercept(Matrix<double> x)
    {
        var design = Matrix<double>.Build.Dense(x.RowCount, x.ColumnCount + 1, 1.0);
        design.SetSubMatrix(0, 0, x);
        return design;
    }

    private static void AddToDiagonal(Matrix<double> m, double value)
    {
        for (int i = 0; i < m.RowCount; i++) m[i, i] += value;
    }
}
