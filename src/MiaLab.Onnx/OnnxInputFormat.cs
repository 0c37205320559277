using MiaLab.Core;
using MiaLab.Core.Config;

namespace MiaLab.Onnx;

/// <summary>
/// How MiaLab's samples become an ONNX model's input: MiaLab holds an image as [C, H, W] with
/// pixel/255 values and a vector as [F]; the model may want NHWC or a flat vector, and other
/// scaling (mean/std per channel, or pixel values 0–255).
/// </summary>
public sealed class OnnxInputFormat
{
    private readonly int[] _data;
    private readonly float[]? _offset, _factor; // per channel: x' = (x − offset) · factor
    private readonly float _multiplier = 1;

    public OnnxInputFormat(OnnxInputConfig config, int[] sampleShape, string key)
    {
        ArgumentNullException.ThrowIfNull(config);
        _data = (int[])sampleShape.Clone();
        bool image = sampleShape.Length == 3;
        Layout = config.Layout ?? (image ? "nchw" : "flat");
        if (!image && Layout != "flat")
            throw new InputException($"{key}.layout {Layout} needs images [C, H, W], but the data's samples are vectors [{string.Join(", ", sampleShape)}]; use layout flat");
        SampleShape = Layout switch
        {
            "nchw" => (int[])sampleShape.Clone(),
            "nhwc" => [sampleShape[1], sampleShape[2], sampleShape[0]],
            _ => [sampleShape.Aggregate(1, (a, d) => a * d)],
        };
        int channels = image ? sampleShape[0] : sampleShape.Aggregate(1, (a, d) => a * d);
        switch (config.Scaling)
        {
            case "mean/std":
                {
                    var mean = PerChannel(config.Mean!, channels, $"{key}.mean", image);
                    var std = PerChannel(config.Std!, channels, $"{key}.std", image);
                    _offset = mean.Select(m => (float)m).ToArray();
                    _factor = std.Select(s => (float)(1.0 / s)).ToArray();
                    break;
                }
            case "0-255":
                _multiplier = 255f;
                break;
        }
    }

    /// <summary>nchw | nhwc | flat.</summary>
    public string Layout { get; }

    /// <summary>The shape of one sample as the model takes it.</summary>
    public int[] SampleShape { get; }

    public int Values => SampleShape.Aggregate(1, (a, d) => a * d);

    /// <summary>Converts <paramref name="count"/> samples from MiaLab's layout and scaling to the model's.</summary>
    public void Convert(ReadOnlySpan<float> source, int count, Span<float> target)
    {
        int values = Values;
        if (source.Length != (long)count * values || target.Length != source.Length)
            throw new ArgumentException($"expected {count} × {values} values");
        bool image = _data.Length == 3;
        int c = image ? _data[0] : 1, area = image ? _data[1] * _data[2] : values;
        for (int n = 0; n < count; n++)
        {
            var from = source.Slice(n * values, values);
            var to = target.Slice(n * values, values);
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < area; p++)
                {
                    int at = ch * area + p;
                    float v = from[at] * _multiplier;
                    if (_offset is not null)
                    {
                        int k = image ? ch : at;
                        v = (v - _offset[k]) * _factor![k];
                    }
                    // NHWC puts channel ch of pixel p at p·C + ch.
                    to[Layout == "nhwc" ? p * c + ch : at] = v;
                }
        }
    }

    private static double[] PerChannel(double[] values, int channels, string key, bool image)
    {
        if (values.Length == 1) return Enumerable.Repeat(values[0], channels).ToArray();
        if (values.Length == channels) return values;
        throw new InputException($"{key} has {values.Length} values but the data has {channels} {(image ? "channels" : "features")} (give one value, or one per {(image ? "channel" : "feature")})");
    }
}
