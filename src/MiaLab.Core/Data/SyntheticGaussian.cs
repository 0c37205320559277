using MiaLab.Core.IO;
using MiaLab.Core.Randomness;

namespace MiaLab.Core.Data;

/// <summary>
/// A mixture of isotropic Gaussians, one per class: the fast, fully controlled dataset for
/// tests and for studying how separability affects leakage. Class c has mean
/// separation × u_c (u_c a random unit vector) and unit variance in every direction.
/// </summary>
public static class SyntheticGaussian
{
    public static Dataset Generate(int samples, int features, int classes, double separation, int seed)
    {
        if (classes < 1) throw new InputException($"dataset.synthetic.classes must be at least 1 (got {classes})");
        if (samples < classes) throw new InputException($"dataset.synthetic.samples ({samples}) must be at least dataset.synthetic.classes ({classes})");
        if (features < 1) throw new InputException($"dataset.synthetic.features must be at least 1 (got {features})");
        if (!double.IsFinite(separation) || separation < 0) throw new InputException($"dataset.synthetic.separation must be a finite number ≥ 0 (got {separation})");
        if ((long)samples * features > Array.MaxLength) throw new InputException($"dataset.synthetic: {samples} samples × {features} features is too large for one array");

        var random = StableRandom.For(seed, "synthetic", 0);

        // Class means: a direction drawn uniformly on the sphere (normalised Gaussian vector).
        var means = new double[classes, features];
        for (int c = 0; c < classes; c++)
        {
            double norm;
            do
            {
                norm = 0;
                for (int d = 0; d < features; d++)
                {
                    means[c, d] = random.NextGaussian();
                    norm += means[c, d] * means[c, d];
                }
            } while (norm == 0); // probability zero, but a zero vector has no direction
            double scale = separation / Math.Sqrt(norm);
            for (int d = 0; d < features; d++) means[c, d] *= scale;
        }

        // Balanced labels (counts differ by at most one), in a seeded random order.
        var labels = new long[samples];
        for (int i = 0; i < samples; i++) labels[i] = i % classes;
        random.Shuffle(labels.AsSpan());

        var x = new float[(long)samples * features];
        for (int i = 0; i < samples; i++)
        {
            int c = (int)labels[i];
            for (int d = 0; d < features; d++)
                x[(long)i * features + d] = (float)(means[c, d] + random.NextGaussian());
        }
        return new Dataset("synthetic", x, [features], labels, classes);
    }
}
