using MiaLab.Core.Config;
using MiaLab.Core.Randomness;

namespace MiaLab.Core.Translation;

/// <summary>
/// The image-to-image tasks built from one image [C, H, W] in [0, 1]: each returns the (input,
/// target) pair of a sample. Random choices (noise, the inpainting square) come from the sample's own
/// stream, so a sample's pair does not depend on which other samples are in the run.
/// <list type="bullet">
/// <item>edges2image: input = 1 where the Sobel magnitude of the channel mean is ≥ the threshold, else 0; target = the image.</item>
/// <item>denoise: input = clip(image + N(0, σ²), 0, 1); target = the image.</item>
/// <item>inpaint: input = the image with a square set to 0; target = the image.</item>
/// <item>superres: input = the image averaged over factor×factor blocks, each block's mean repeated over it; target = the image.</item>
/// <item>segment: input = the image; target = 1 where the channel mean is above the threshold, else 0.</item>
/// </list>
/// </summary>
public static class ImageTasks
{
    public static (float[] Input, float[] Target, int TargetChannels) Pair(TaskConfig task, ReadOnlySpan<float> image, int channels, int height, int width,
        StableRandom random)
    {
        var source = image.ToArray();
        switch (task.Kind)
        {
            case "edges2image":
                return (Edges(Mean(source, channels, height, width), height, width, task.EdgeThreshold), source, channels);
            case "denoise":
                {
                    var noisy = new float[source.Length];
                    for (int i = 0; i < source.Length; i++)
                        noisy[i] = (float)Math.Clamp(source[i] + task.NoiseStd * random.NextGaussian(), 0, 1);
                    return (noisy, source, channels);
                }
            case "inpaint":
                {
                    int side = Math.Min(task.MaskSize, Math.Min(height, width));
                    int top = random.Next(height - side + 1), left = random.Next(width - side + 1);
                    return (Masked(source, channels, height, width, top, left, side), source, channels);
                }
            case "superres":
                return (NearestUp(BlockMean(source, channels, height, width, task.Factor), channels, height / task.Factor, width / task.Factor, task.Factor),
                    source, channels);
            case "segment":
                return (source, Threshold(Mean(source, channels, height, width), task.ForegroundThreshold), 1);
            default:
                throw new InputException($"task.kind '{task.Kind}' is not one of {string.Join(", ", ConfigFile.TaskKinds)}");
        }
    }

    /// <summary>Sobel gradient magnitude √(gx² + gy²) of a [H, W] image, zero outside it;
    /// gx = [[−1,0,1],[−2,0,2],[−1,0,1]] (left to right), gy its transpose (top to bottom).</summary>
    public static float[] SobelMagnitude(ReadOnlySpan<float> source, int height, int width)
    {
        var image = source.ToArray();
        var result = new float[height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float At(int dy, int dx)
                {
                    int yy = y + dy, xx = x + dx;
                    return yy >= 0 && yy < height && xx >= 0 && xx < width ? image[yy * width + xx] : 0f;
                }
                float gx = At(-1, 1) + 2 * At(0, 1) + At(1, 1) - At(-1, -1) - 2 * At(0, -1) - At(1, -1);
                float gy = At(1, -1) + 2 * At(1, 0) + At(1, 1) - At(-1, -1) - 2 * At(-1, 0) - At(-1, 1);
                result[y * width + x] = MathF.Sqrt(gx * gx + gy * gy);
            }
        return result;
    }

    /// <summary>The edge map: 1 where the Sobel magnitude is ≥ threshold.</summary>
    public static float[] Edges(ReadOnlySpan<float> image, int height, int width, double threshold) =>
        SobelMagnitude(image, height, width).Select(m => m >= threshold ? 1f : 0f).ToArray();

    /// <summary>[C, H, W] averaged over factor×factor blocks → [C, H/factor, W/factor] (H and W divisible by factor).</summary>
    public static float[] BlockMean(ReadOnlySpan<float> image, int channels, int height, int width, int factor)
    {
        if (factor < 1 || height % factor != 0 || width % factor != 0)
            throw new InputException($"a {height}×{width} image cannot be averaged over {factor}×{factor} blocks: its sides must be multiples of {factor}");
        int h = height / factor, w = width / factor;
        var result = new float[channels * h * w];
        float scale = 1f / (factor * factor);
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    result[(c * h + y / factor) * w + x / factor] += image[(c * height + y) * width + x] * scale;
        return result;
    }

    /// <summary>[C, H, W] → [C, H·factor, W·factor], each pixel repeated over a factor×factor block.</summary>
    public static float[] NearestUp(ReadOnlySpan<float> image, int channels, int height, int width, int factor)
    {
        int h = height * factor, w = width * factor;
        var result = new float[channels * h * w];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    result[(c * h + y) * w + x] = image[(c * height + y / factor) * width + x / factor];
        return result;
    }

    /// <summary>The mean over channels, [H, W].</summary>
    public static float[] Mean(ReadOnlySpan<float> image, int channels, int height, int width)
    {
        int plane = height * width;
        var result = new float[plane];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < plane; i++) result[i] += image[c * plane + i] / channels;
        return result;
    }

    private static float[] Masked(float[] image, int channels, int height, int width, int top, int left, int side)
    {
        var result = (float[])image.Clone();
        for (int c = 0; c < channels; c++)
            for (int y = top; y < top + side; y++)
                for (int x = left; x < left + side; x++) result[(c * height + y) * width + x] = 0f;
        return result;
    }

    private static float[] Threshold(float[] plane, double threshold) => plane.Select(v => v > threshold ? 1f : 0f).ToArray();
}
