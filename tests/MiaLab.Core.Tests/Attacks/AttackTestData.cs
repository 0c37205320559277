using MiaLab.Core.Randomness;
using MiaLab.Core.Attacks;

namespace MiaLab.Core.Tests.Attacks;

/// <summary>Seeded synthetic model outputs for the attack tests.</summary>
internal static class AttackTestData
{
    /// <summary>Standard normal by Box–Muller.</summary>
    public static double Normal(StableRandom rng)
    {
        double u = 1.0 - rng.NextDouble(), v = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    /// <summary>C = 2, label 1, logits [0, φ] so that the stable logit is exactly φ.
    /// phi[m][i·A + a] are the values of model m.</summary>
    public static ModelOutputs FromStableLogits(double[][] phi, bool[][] keep, int augmentations, bool[]? holdout = null)
    {
        int n = keep[0].Length;
        var logits = new float[phi.Length][];
        for (int m = 0; m < phi.Length; m++)
        {
            logits[m] = new float[n * augmentations * 2];
            for (int r = 0; r < n * augmentations; r++) logits[m][(2 * r) + 1] = (float)phi[m][r];
        }
        var labels = new long[n];
        Array.Fill(labels, 1L);
        return new ModelOutputs(logits, labels, keep, augmentations, 2, holdout);
    }

    /// <summary>Random logits drawn from a few values so that ratios tie often; random keep.</summary>
    public static ModelOutputs RandomTies(int seed, int n, int models, int augmentations, int classes, int holdout)
    {
        var rng = new StableRandom((ulong)seed);
        float[] levels = [-1f, 0f, 0.5f, 1f];
        var logits = new float[models][];
        var keep = new bool[models][];
        var hold = new bool[n];
        for (int i = n - holdout; i < n; i++) hold[i] = true;
        for (int m = 0; m < models; m++)
        {
            logits[m] = new float[n * augmentations * classes];
            for (int k = 0; k < logits[m].Length; k++) logits[m][k] = levels[rng.Next(levels.Length)];
            keep[m] = new bool[n];
            for (int i = 0; i < n; i++) keep[m][i] = !hold[i] && rng.Next(2) == 1;
        }
        var labels = new long[n];
        for (int i = 0; i < n; i++) labels[i] = rng.Next(classes);
        return new ModelOutputs(logits, labels, keep, augmentations, classes, holdout > 0 ? hold : null);
    }
}
