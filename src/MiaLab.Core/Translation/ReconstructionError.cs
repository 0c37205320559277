using MiaLab.Core.Data;
using MiaLab.Core.Pipeline;

namespace MiaLab.Core.Translation;

/// <summary>
/// L_rec = mean over pixels of |target − G(input)|, images in [0, 1] (ALGORITHMS.md §10), for every
/// sample under every query augmentation. Under a horizontal flip the model saw the flipped input,
/// so its output is compared with the flipped target.
/// </summary>
public static class ReconstructionError
{
    /// <summary>The mean absolute difference of two images of the same length.</summary>
    public static double Of(ReadOnlySpan<float> output, ReadOnlySpan<float> target)
    {
        if (output.Length != target.Length || output.Length == 0)
            throw new ArgumentException($"an output of {output.Length} values against a target of {target.Length}");
        double sum = 0;
        for (int i = 0; i < output.Length; i++) sum += Math.Abs(target[i] - output[i]);
        return sum / output.Length;
    }

    /// <summary>L_rec [N × A] from a model's outputs [N, A, *target shape] on <paramref name="data"/>.</summary>
    public static float[] All(float[] outputs, Dataset data, IReadOnlyList<string> augmentations)
    {
        var targets = data.Targets ?? throw new InputException($"dataset '{data.Name}' has no targets: reconstruction errors need an image-to-image task");
        int n = data.Count, a = augmentations.Count, t = data.TargetLength;
        if (outputs.Length != (long)n * a * t)
            throw new InputException($"the model gives {outputs.Length / Math.Max(1, (long)n * a)} values per sample but the targets have {t} (shape [{string.Join(", ", data.TargetShape!)}])");
        var errors = new float[n * a];
        Parallel.For(0, n, () => new float[t], (i, _, flipped) =>
        {
            var target = targets.AsSpan(i * t, t);
            for (int q = 0; q < a; q++)
            {
                ReadOnlySpan<float> reference = target;
                if (augmentations[q] == ModelQuery.HorizontalFlip)
                {
                    ModelQuery.FlipHorizontally(target, flipped, data.TargetShape!);
                    reference = flipped;
                }
                errors[i * a + q] = (float)Of(outputs.AsSpan((i * a + q) * t, t), reference);
            }
            return flipped;
        }, _ => { });
        return errors;
    }
}
