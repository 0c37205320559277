using MiaLab.Core.Randomness;
using MiaLab.Core.Data;

namespace MiaLab.Torch.Training;

/// <summary>
/// Copies the samples of one model's batch into its slot of the stacked input buffer
/// [K, B, features] (B = the buffer's width), applying the training augmentations (random horizontal flip, random
/// shift with zero fill) with that model's own random stream. Slots past the model's samples
/// are padding: filled with a real sample and given weight 0 so they add nothing to the loss.
/// </summary>
public sealed class BatchBuilder(Dataset data, bool flip, int shift)
{
    private readonly int featureLength = data.FeatureLength;
    private readonly bool image = data.IsImage;

    /// <param name="targets">Image-to-image data: the stacked target buffer [K, B, target length], filled alike.</param>
    public void Fill(int slot, int width, ReadOnlySpan<int> samples, int paddingSample, StableRandom random, float[] x, long[] y, float[] weight,
        float[]? targets = null)
    {
        if (samples.Length > width) throw new ArgumentException($"a batch of {samples.Length} does not fit a buffer of width {width}");
        for (int b = 0; b < width; b++)
        {
            int row = slot * width + b;
            bool real = b < samples.Length;
            int sample = real ? samples[b] : paddingSample;
            var source = data.Features.AsSpan(sample * featureLength, featureLength);
            var target = x.AsSpan(row * featureLength, featureLength);
            if (real && image && (flip || shift > 0))
                Augment(source, target, random);
            else
                source.CopyTo(target);
            y[row] = data.Labels[sample];
            if (targets is not null)
                data.Targets.AsSpan(sample * data.TargetLength, data.TargetLength).CopyTo(targets.AsSpan(row * data.TargetLength, data.TargetLength));
            weight[row] = real ? 1f : 0f;
        }
    }

    private void Augment(ReadOnlySpan<float> source, Span<float> target, StableRandom random)
    {
        int channels = data.SampleShape[0], height = data.SampleShape[1], width = data.SampleShape[2];
        bool mirror = flip && random.Next(2) == 1;
        int dy = shift > 0 ? random.Next(2 * shift + 1) - shift : 0;
        int dx = shift > 0 ? random.Next(2 * shift + 1) - shift : 0;
        for (int c = 0; c < channels; c++)
            for (int h = 0; h < height; h++)
            {
                int sh = h - dy;
                for (int w = 0; w < width; w++)
                {
                    int sw = (mirror ? width - 1 - w : w) - dx;
                    bool inside = sh >= 0 && sh < height && sw >= 0 && sw < width;
                    target[(c * height + h) * width + w] = inside ? source[(c * height + sh) * width + sw] : 0f;
                }
            }
    }
}
