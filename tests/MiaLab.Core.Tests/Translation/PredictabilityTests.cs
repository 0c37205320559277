using MathNet.Numerics.LinearAlgebra;
using MiaLab.Core.Randomness;
using MiaLab.Core.Translation;

namespace MiaLab.Core.Tests.Translation;

public sealed class PredictabilityTests
{
    [Fact]
    public void Ordinary_least_squares_gives_the_hand_solution()
    {
        // y = a·x + b through (0, 1), (1, 3), (2, 4): x̄ = 1, ȳ = 8/3, Sxy = 3, Sxx = 2 → a = 1.5, b = 7/6.
        var x = Matrix<double>.Build.DenseOfArray(new double[,] { { 0 }, { 1 }, { 2 } });
        var y = Matrix<double>.Build.DenseOfArray(new double[,] { { 1 }, { 3 }, { 4 } });
        var w = Predictability.Fit(x, y, ridge: 0);
        Assert.Equal(1.5, w[0, 0], 12);
        Assert.Equal(7.0 / 6, w[1, 0], 12);
    }

    [Theory]
    [InlineData(12, 4)] // more positions than features: the primal form
    [InlineData(4, 9)]  // fewer: the dual form
    public void Ridge_fit_equals_the_closed_form(int rows, int features)
    {
        var random = new StableRandom(5);
        var x = Matrix<double>.Build.Dense(rows, features, (_, _) => random.NextGaussian());
        var y = Matrix<double>.Build.Dense(rows, 2, (_, _) => random.NextGaussian());
        const double ridge = 0.1;
        var design = x.Append(Matrix<double>.Build.Dense(rows, 1, 1.0));
        double lambda = ridge * Math.Pow(design.FrobeniusNorm(), 2) / rows;
        var closed = (design.Transpose() * design + lambda * Matrix<double>.Build.DenseIdentity(features + 1)).Inverse() * design.Transpose() * y;
        var w = Predictability.Fit(x, y, ridge);
        Assert.True((w - closed).FrobeniusNorm() < 1e-9, $"ridge fit differs from (XᵀX + λI)⁻¹XᵀY by {(w - closed).FrobeniusNorm()}");
    }

    [Fact]
    public void L_pred_is_zero_when_the_target_is_a_linear_function_of_the_features()
    {
        var random = new StableRandom(9);
        const int positions = 40, features = 3;
        var f = Enumerable.Range(0, positions * features).Select(_ => (float)random.NextDouble()).ToArray();
        var target = Enumerable.Range(0, positions).Select(p => 0.5f * f[p * 3] - 0.25f * f[p * 3 + 1] + 0.1f * f[p * 3 + 2] + 0.2f).ToArray();
        var (fit, test) = Predictability.Split(positions, 0.7, new StableRandom(1));
        Assert.True(Predictability.Error(f, features, target, 1, fit, test, ridge: 0) < 1e-6);
        // A target that is not linear in them is not predicted exactly.
        var other = Enumerable.Range(0, positions).Select(p => f[p * 3] * f[p * 3 + 1]).ToArray();
        Assert.True(Predictability.Error(f, features, other, 1, fit, test, ridge: 0) > 1e-3);
    }

    [Fact]
    public void The_split_is_seeded_disjoint_and_covers_every_position()
    {
        var (fit, test) = Predictability.Split(100, 0.7, StableRandom.For(0, "predictability-split", 3));
        Assert.Equal(70, fit.Length);
        Assert.Equal(30, test.Length);
        Assert.Empty(fit.Intersect(test));
        Assert.Equal(Enumerable.Range(0, 100), fit.Concat(test).Order());
        var again = Predictability.Split(100, 0.7, StableRandom.For(0, "predictability-split", 3));
        Assert.Equal(fit, again.Fit);
        var other = Predictability.Split(100, 0.7, StableRandom.For(0, "predictability-split", 4));
        Assert.NotEqual(fit, other.Fit);
    }
}
