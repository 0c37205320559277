using MiaLab.Core.Randomness;
using MiaLab.Core.Attacks.Shadow;

namespace MiaLab.Core.Tests.Attacks.Shadow;

public class ClassifierTests
{
    private static double Normal(StableRandom rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Fact]
    public void LogisticRegressionRecoversAKnownDirection()
    {
        // y ~ Bernoulli(σ(2·x1 − x2 − 6.5)) with x1 ~ N(3, 1) and x2 ~ N(−1, 2²): the fit must
        // undo the standardisation and return (2, −1) and −6.5 in the original units. (The linear
        // predictor has mean 0.5, so both classes are frequent and the estimates are tight.)
        var rng = new StableRandom(12);
        const int n = 20000;
        var x = new double[n * 2];
        var y = new bool[n];
        for (int i = 0; i < n; i++)
        {
            x[2 * i] = 3 + Normal(rng);
            x[(2 * i) + 1] = -1 + (2 * Normal(rng));
            double eta = (2 * x[2 * i]) - x[(2 * i) + 1] - 6.5;
            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-eta));
        }
        var model = LogisticRegression.Fit(x, 2, y);
        Assert.Equal(2.0, model.Weights[0], 0.1);
        Assert.Equal(-1.0, model.Weights[1], 0.05);
        Assert.Equal(-6.5, model.Intercept, 0.3);
        // The prediction uses the same parameters.
        double p = model.PredictProbability([3.0, -1.0]);
        Assert.Equal(1 / (1 + Math.Exp(-((3 * model.Weights[0]) - model.Weights[1] + model.Intercept))), p, 9);
    }

    [Fact]
    public void LogisticRegressionStaysFiniteOnSeparableData()
    {
        // Perfectly separable: the L2 penalty keeps the weights finite; the direction is right.
        double[] x = [-2, -1, -0.5, 0.5, 1, 2];
        bool[] y = [false, false, false, true, true, true];
        var model = LogisticRegression.Fit(x, 1, y);
        Assert.True(double.IsFinite(model.Weights[0]) && model.Weights[0] > 0);
        Assert.True(model.PredictProbability([1.0]) > 0.99);
        Assert.True(model.PredictProbability([-1.0]) < 0.01);
    }

    [Fact]
    public void MlpLearnsANonLinearBoundary()
    {
        // Member ⇔ |x1| > 1: no linear classifier does better than chance ranking on this.
        var rng = new StableRandom(4);
        const int n = 2000;
        var x = new double[n * 2];
        var y = new bool[n];
        for (int i = 0; i < n; i++)
        {
            x[2 * i] = (4 * rng.NextDouble()) - 2;
            x[(2 * i) + 1] = Normal(rng);
            y[i] = Math.Abs(x[2 * i]) > 1;
        }
        var mlp = Mlp.Fit(x, 2, y, new StableRandom(1), epochs: 100);
        int correct = 0;
        for (int i = 0; i < n; i++)
            if ((mlp.PredictProbability(x.AsSpan(2 * i, 2)) > 0.5) == y[i]) correct++;
        Assert.True(correct > 0.9 * n, $"{correct} of {n} correct");
    }
}
