using MiaLab.Core.Randomness;
using MiaLab.Core.Attacks;
using MiaLab.Core.Attacks.Shadow;
using MiaLab.Core.Evaluation;

namespace MiaLab.Core.Tests.Attacks.Shadow;

public class ShadowAttackTests
{
    private const int N = 600, C = 5, M = 7, Holdout = 60;

    /// <summary>M models, N samples (the first <see cref="Holdout"/> are holdout), C classes. Every
    /// logit is uniform noise in [−1, 1]; the true class gets +4 when the model trained on the
    /// sample and +1 when it did not, so members are confidently right and non-members are not.</summary>
    private static ModelOutputs Synthetic(int seed = 1)
    {
        var rng = new StableRandom((ulong)seed);
        var labels = new long[N];
        for (int i = 0; i < N; i++) labels[i] = rng.Next(C);
        var holdout = new bool[N];
        for (int i = 0; i < Holdout; i++) holdout[i] = true;
        var keep = new bool[M][];
        var logits = new float[M][];
        for (int m = 0; m < M; m++)
        {
            keep[m] = new bool[N];
            logits[m] = new float[N * C];
            for (int i = 0; i < N; i++)
            {
                keep[m][i] = !holdout[i] && rng.Next(2) == 0;
                for (int c = 0; c < C; c++) logits[m][(i * C) + c] = (float)((2 * rng.NextDouble()) - 1);
                logits[m][(i * C) + labels[i]] += keep[m][i] ? 4f : 1f;
            }
        }
        return new ModelOutputs(logits, labels, keep, augmentations: 1, classes: C, holdout);
    }

    private static readonly int[] Shadows = [1, 2, 3, 4, 5, 6];

    [Theory]
    [InlineData("logistic", false, "shadow-logistic")]
    [InlineData("logistic", true, "shadow-logistic-per-class")]
    [InlineData("mlp", false, "shadow-mlp")]
    [InlineData("mlp", true, "shadow-mlp-per-class")]
    public void SeparatesMembersOfTheTarget(string classifier, bool perClass, string name)
    {
        var outputs = Synthetic();
        var result = ShadowAttack.Run(outputs, 0, Shadows, new ShadowOptions(classifier, perClass));
        Assert.Equal(name, result.Name);
        Assert.Equal(N, result.Scores.Length);

        // Holdout samples are unscored, everything else is a probability.
        Assert.Equal(Enumerable.Range(0, Holdout), result.Unscored);
        for (int i = 0; i < N; i++)
        {
            if (i < Holdout) Assert.True(double.IsNaN(result.Scores[i]));
            else Assert.InRange(result.Scores[i], 0.0, 1.0);
        }

        var m = Evaluator.Evaluate(result.Scores, outputs.Keep[0], null, new EvaluationOptions(BootstrapResamples: 0));
        Assert.Equal(Holdout, m.Unscored);
        Assert.True(m.Auc > 0.9, $"AUC {m.Auc}");
    }

    [Fact]
    public void TopKFeatures()
    {
        var outputs = Synthetic();
        var result = ShadowAttack.Run(outputs, 0, Shadows, new ShadowOptions(TopK: 2));
        Assert.Equal(2 + C, result.Extras["features"]);
        var m = Evaluator.Evaluate(result.Scores, outputs.Keep[0], null, new EvaluationOptions(BootstrapResamples: 0));
        Assert.True(m.Auc > 0.9, $"AUC {m.Auc}");
    }

    [Fact]
    public void FeaturesAreSortedSoftmaxThenOneHot()
    {
        // One model, one sample, logits (1, 3, 2), label 0: softmax ∝ (e, e³, e²), sorted descending,
        // then one-hot (1, 0, 0).
        var outputs = new ModelOutputs([[1f, 3f, 2f]], [0], [[true]], 1, 3);
        var row = new double[6];
        ShadowAttack.Features(outputs, 0, 0, 3, row);
        double z = Math.E + Math.Exp(3) + Math.Exp(2);
        Assert.Equal(Math.Exp(3) / z, row[0], 12);
        Assert.Equal(Math.Exp(2) / z, row[1], 12);
        Assert.Equal(Math.E / z, row[2], 12);
        Assert.Equal([1.0, 0.0, 0.0], row[3..]);
    }

    [Theory]
    [InlineData("logistic", false)]
    [InlineData("mlp", true)]
    public void DeterministicForASeed(string classifier, bool perClass)
    {
        var outputs = Synthetic();
        var options = new ShadowOptions(classifier, perClass, MaxTrainRows: 1000, Seed: 5);
        var a = ShadowAttack.Run(outputs, 0, Shadows, options);
        var b = ShadowAttack.Run(outputs, 0, Shadows, options);
        Assert.Equal(a.Scores, b.Scores);
        var c = ShadowAttack.Run(outputs, 0, Shadows, options with { Seed = 6 });
        Assert.NotEqual(a.Scores, c.Scores);
    }

    [Fact]
    public void MistakesAreInputExceptions()
    {
        var outputs = Synthetic();
        Assert.Throws<InputException>(() => ShadowAttack.Run(outputs, 0, [0, 1], new ShadowOptions()));
        Assert.Throws<InputException>(() => ShadowAttack.Run(outputs, 0, [], new ShadowOptions()));
        Assert.Throws<InputException>(() => ShadowAttack.Run(outputs, 9, [1], new ShadowOptions()));
        Assert.Throws<InputException>(() => ShadowAttack.Run(outputs, 0, [1], new ShadowOptions("forest")));
        Assert.Throws<InputException>(() => ShadowAttack.Run(outputs, 0, [1], new ShadowOptions(TopK: -1)));
    }
}
