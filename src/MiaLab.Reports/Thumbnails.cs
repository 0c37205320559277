namespace MiaLab.Reports;

/// <summary>Small PNG thumbnails of image samples, rendered from C×H×W pixel arrays in [0, 1].</summary>
public static class Thumbnails
{
    /// <summary>Interprets a report's image shape: [C, H, W] or [H, W] (one channel). Null when the
    /// samples are not images or the shape is not one of these.</summary>
    public static (int Channels, int Height, int Width)? ParseShape(int[]? shape) => shape switch
    {
        [int c, int h, int w] when c > 0 && h > 0 && w > 0 => (c, h, w),
        [int h, int w] when h > 0 && w > 0 => (1, h, w),
        _ => null,
    };

    /// <summary>Renders a thumbnail: grayscale for one channel, RGB for three (other channel counts
    /// show the first channel). Each pixel becomes a <paramref name="scale"/>×<paramref name="scale"/>
    /// block, so small images stay crisp.</summary>
    public static byte[] Png(float[] pixels, int channels, int height, int width, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (channels <= 0 || height <= 0 || width <= 0 || scale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), "Image dimensions and scale must be positive.");
        }
        if (pixels.Length != channels * height * width)
        {
            throw new ArgumentException(
                $"Pixel array has {pixels.Length} values; shape {channels}×{height}×{width} needs {channels * height * width}.", nameof(pixels));
        }
        int outH = height * scale;
        int outW = width * scale;
        int plane = height * width;
        ScottPlot.Image image;
        if (channels == 3)
        {
            var rgb = new byte[outH, outW, 3];
            for (int y = 0; y < outH; y++)
            {
                for (int x = 0; x < outW; x++)
                {
                    int src = (y / scale) * width + (x / scale);
                    for (int ch = 0; ch < 3; ch++)
                    {
                        rgb[y, x, ch] = ToByte(pixels[ch * plane + src]);
                    }
                }
            }
            image = new ScottPlot.Image(rgb);
        }
        else
        {
            var gray = new byte[outH, outW];
            for (int y = 0; y < outH; y++)
            {
                for (int x = 0; x < outW; x++)
                {
                    gray[y, x] = ToByte(pixels[(y / scale) * width + (x / scale)]);
                }
            }
            image = new ScottPlot.Image(gray);
        }
        using (image)
        {
            return image.GetImageBytes(ScottPlot.ImageFormat.Png, 100);
        }
    }

    /// <summary>A scale that brings the longer side to about <paramref name="target"/> pixels.</summary>
    public static int ScaleFor(int height, int width, int target = 96) =>
        Math.Max(1, target / Math.Max(1, Math.Max(height, width)));

    private static byte ToByte(float v) =>
        float.IsNaN(v) ? (byte)0 : (byte)Math.Clamp((int)MathF.Round(v * 255f), 0, 255);
}
