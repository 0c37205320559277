using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Models;

namespace MiaLab.Core.Pipeline;

/// <summary>
/// The query of one model: runs every sample through one model under each query augmentation and returns its
/// outputs [N, A, *OutputShape] — for a classifier the run directory's logits/model-XXXX.npy
/// (float32 [N, A, C]). The augmentations are applied here to the input arrays, so every model
/// behind <see cref="IModel"/> is queried the same way.
/// </summary>
public static class ModelQuery
{
    public const string Identity = "identity";
    public const string HorizontalFlip = "hflip";
    public static IReadOnlyList<string> Augmentations => ConfigFile.QueryAugmentations;
    public const int BatchSize = 1000;

    /// <summary>The configured augmentations, or (none configured) identity and flip for images,
    /// identity alone for vectors. DataFit has refused a flip of data that is not an image.</summary>
    public static IReadOnlyList<string> For(Dataset data, IReadOnlyList<string>? configured) =>
        configured ?? (DataFit.Flippable(data) ? [Identity, HorizontalFlip] : [Identity]);

    public static float[] Query(IModel model, Dataset data, IReadOnlyList<string> augmentations, Action<int, int>? onProgress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        foreach (var a in augmentations)
            if (!Augmentations.Contains(a)) throw new InputException($"unknown query augmentation '{a}' (known: {string.Join(", ", Augmentations)})");
        if (!data.IsImage && augmentations.Any(a => a != Identity))
            throw new InputException("query augmentations other than identity need image data");
        CheckInput(model, data);
        int n = data.Count, f = data.FeatureLength, aug = augmentations.Count;
        int width = model.OutputShape.Aggregate(1, (x, d) => x * d);
        var outputs = new float[(long)n * aug * width];
        var flipped = new float[Math.Min(BatchSize, Math.Max(n, 1)) * f];
        for (int start = 0; start < n; start += BatchSize)
        {
            int b = Math.Min(BatchSize, n - start);
            var batch = data.Features.AsSpan(start * f, b * f);
            for (int a = 0; a < aug; a++)
            {
                ReadOnlySpan<float> input = batch;
                if (augmentations[a] == HorizontalFlip)
                {
                    FlipHorizontally(batch, flipped.AsSpan(0, b * f), data.SampleShape);
                    input = flipped.AsSpan(0, b * f);
                }
                var run = model.Run(input, b);
                for (int i = 0; i < b; i++)
                    Array.Copy(run.Outputs, (long)i * width, outputs, ((long)(start + i) * aug + a) * width, width);
            }
            onProgress?.Invoke(start + b, n);
        }
        return outputs;
    }

    /// <summary>The input's last axis (image width) reversed, sample by sample.</summary>
    public static void FlipHorizontally(ReadOnlySpan<float> source, Span<float> target, int[] sampleShape)
    {
        int width = sampleShape[^1];
        for (int row = 0; row < source.Length / width; row++)
            for (int w = 0; w < width; w++)
                target[row * width + w] = source[row * width + width - 1 - w];
    }

    /// <summary>The data's samples must have the model's input shape (or the same number of values
    /// for a model that takes flat vectors).</summary>
    public static void CheckInput(IModel model, Dataset data)
    {
        int values = model.InputShape.Aggregate(1, (x, d) => x * d);
        if (values != data.FeatureLength)
            throw new InputException($"the model takes samples of shape [{string.Join(", ", model.InputShape)}] ({values} values) but the data has [{string.Join(", ", data.SampleShape)}] ({data.FeatureLength} values)");
    }
}
