namespace MiaLab.Core.Translation;

/// <summary>Bilinear resizing of [C, H, W] maps with half-pixel centres (PyTorch's
/// interpolate(mode="bilinear", align_corners=False), without antialiasing): output pixel y samples
/// the input at (y + ½)·H/H' − ½, clamped to the image.</summary>
public static class Bilinear
{
    public static float[] Resize(ReadOnlySpan<float> source, int channels, int height, int width, int outHeight, int outWidth)
    {
        if (source.Length != channels * height * width)
            throw new ArgumentException($"{source.Length} values are not [{channels}, {height}, {width}]");
        var result = new float[channels * outHeight * outWidth];
        var (y0, y1, wy) = Taps(height, outHeight);
        var (x0, x1, wx) = Taps(width, outWidth);
        for (int c = 0; c < channels; c++)
        {
            var plane = source.Slice(c * height * width, height * width);
            for (int y = 0; y < outHeight; y++)
                for (int x = 0; x < outWidth; x++)
                {
                    float top = plane[y0[y] * width + x0[x]] * (1 - wx[x]) + plane[y0[y] * width + x1[x]] * wx[x];
                    float bottom = plane[y1[y] * width + x0[x]] * (1 - wx[x]) + plane[y1[y] * width + x1[x]] * wx[x];
                    result[(c * outHeight + y) * outWidth + x] = top * (1 - wy[y]) + bottom * wy[y];
                }
        }
        return result;
    }

    /// <summary>Per output coordinate: the two input coordinates it blends and the weight of the second.</summary>
    private static (int[] Low, int[] High, float[] Weight) Taps(int size, int outSize)
    {
        var low = new int[outSize];
        var high = new int[outSize];
        var weight = new float[outSize];
        double scale = (double)size / outSize;
        for (int o = 0; o < outSize; o++)
        {
            double at = Math.Max(0, (o + 0.5) * scale - 0.5);
            int l = Math.Min((int)Math.Floor(at), size - 1);
            low[o] = l;
            high[o] = Math.Min(l + 1, size - 1);
            weight[o] = (float)(at - l);
        }
        return (low, high, weight);
    }
}
