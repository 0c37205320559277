using MiaLab.Core;
using MiaLab.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>
/// A small U-Net for image-to-image tasks: an encoder of levels (two 3×3 convolutions with ReLU each,
/// 2×2 max pooling between levels), a decoder that upsamples by 2 (nearest), concatenates the
/// encoder's map of that level (the skip connection) and applies two 3×3 convolutions, and a linear
/// 1×1 convolution. The loss sees that linear output; outside training it is clamped to [0, 1], the
/// targets' range. (A sigmoid head collapsed: L1 pulls the mostly black Fashion-MNIST pixels to 0, the
/// sigmoid saturates there and its gradient vanishes, and 4 of 6 U-Nets ended at an all-zero output.) Depth = the number of
/// widths in model.channels. When the target is smaller than the input (task.target_size), the output
/// is averaged over blocks to the target side, the same reduction that made the targets.
/// Capture points: enc1 … encL, dec1 … dec(L−1) (dec1 is the finest), output.
/// </summary>
public sealed class UNet : StackedModel
{
    private readonly (StackedConv2d A, StackedConv2d B)[] encoders, decoders;
    private readonly StackedConv2d head;
    private readonly string[] points;
    private readonly int[] outputShape;
    private readonly int reduce;

    public UNet(int models, int[] sampleShape, IReadOnlyList<int> channels, int[] targetShape) : base(nameof(UNet), models, targetShape[0])
    {
        int levels = channels.Count, side = sampleShape[1];
        int divisor = 1 << (levels - 1);
        if (sampleShape[1] % divisor != 0 || sampleShape[2] % divisor != 0)
            throw new InputException($"a U-Net of depth {levels} halves the image {levels - 1} times, so its sides must be multiples of {divisor}; the images are {sampleShape[1]}×{sampleShape[2]} (use fewer model.channels)");
        if (targetShape[1] > side || side % targetShape[1] != 0)
            throw new InputException($"the {targetShape[1]}×{targetShape[2]} targets do not divide the {side}×{side} inputs");
        reduce = side / targetShape[1];
        outputShape = (int[])targetShape.Clone();
        encoders = new (StackedConv2d, StackedConv2d)[levels];
        int c = sampleShape[0];
        for (int l = 0; l < levels; l++)
        {
            encoders[l] = (new StackedConv2d(models, c, channels[l], kernel: 3, padding: 1), new StackedConv2d(models, channels[l], channels[l], kernel: 3, padding: 1));
            register_module($"enc{l + 1}_a", encoders[l].A);
            register_module($"enc{l + 1}_b", encoders[l].B);
            c = channels[l];
        }
        decoders = new (StackedConv2d, StackedConv2d)[levels - 1];
        for (int l = levels - 2; l >= 0; l--)
        {
            decoders[l] = (new StackedConv2d(models, channels[l + 1] + channels[l], channels[l], kernel: 3, padding: 1),
                new StackedConv2d(models, channels[l], channels[l], kernel: 3, padding: 1));
            register_module($"dec{l + 1}_a", decoders[l].A);
            register_module($"dec{l + 1}_b", decoders[l].B);
        }
        head = new StackedConv2d(models, channels[0], targetShape[0], kernel: 1);
        register_module("head", head);
        points = [.. Enumerable.Range(1, levels).Select(l => $"enc{l}"), .. Enumerable.Range(1, levels - 1).Reverse().Select(l => $"dec{l}"), ModelGraph.ImageName];
    }

    public override IReadOnlyList<string> CapturePoints => points;

    public override IReadOnlyList<int> OutputShape => outputShape;

    /// <summary>The evaluation-mode pass: the clamp to [0, 1] is always part of it (ONNX Clip), before the block average.</summary>
    internal override string Describe(GraphRecorder graph)
    {
        string x = ModelGraph.InputName;
        var skips = new string[encoders.Length];
        for (int l = 0; l < encoders.Length; l++)
        {
            if (l > 0) x = graph.Add(new MaxPool2dOp(x, graph.Name(), 2));
            x = graph.Activation(encoders[l].A.Describe(graph, x), "relu");
            x = graph.Activation(encoders[l].B.Describe(graph, x), "relu", $"enc{l + 1}");
            skips[l] = x;
        }
        for (int l = decoders.Length - 1; l >= 0; l--)
        {
            x = graph.Add(new UpsampleNearestOp(x, graph.Name(), 2));
            x = graph.Add(new ConcatChannelsOp([x, skips[l]], graph.Name()));
            x = graph.Activation(decoders[l].A.Describe(graph, x), "relu");
            x = graph.Activation(decoders[l].B.Describe(graph, x), "relu", $"dec{l + 1}");
        }
        x = graph.Add(new ClipOp(head.Describe(graph, x), reduce > 1 ? graph.Name() : ModelGraph.ImageName, 0, 1));
        return reduce > 1 ? graph.Add(new AveragePool2dOp(x, ModelGraph.ImageName, reduce)) : x;
    }

    public override Tensor Forward(Tensor x, IDictionary<string, Tensor>? capture)
    {
        var skips = new Tensor[encoders.Length];
        for (int l = 0; l < encoders.Length; l++)
        {
            if (l > 0) x = PerMap(x, m => nn.functional.max_pool2d(m, [2, 2]));
            x = nn.functional.relu(encoders[l].B.forward(nn.functional.relu(encoders[l].A.forward(x))));
            skips[l] = x;
            Record(capture, $"enc{l + 1}", x);
        }
        for (int l = decoders.Length - 1; l >= 0; l--)
        {
            x = PerMap(x, m => nn.functional.interpolate(m, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest));
            x = torch.cat([x, skips[l]], 2);
            x = nn.functional.relu(decoders[l].B.forward(nn.functional.relu(decoders[l].A.forward(x))));
            Record(capture, $"dec{l + 1}", x);
        }
        x = head.forward(x);
        if (!training) x = x.clamp(0.0, 1.0);
        if (reduce > 1) x = PerMap(x, m => nn.functional.avg_pool2d(m, [reduce, reduce]));
        Record(capture, ModelGraph.ImageName, x);
        return x;
    }
}
