namespace MiaLab.Core.Models;

/// <summary>
/// One trained model written out as plain operations on named values, weights included (float32,
/// C order), so that an exporter can turn it into another format (ONNX, in MiaLab.Onnx) without
/// the library that trained it. The graph takes <see cref="InputName"/> of shape [B, *InputShape]
/// and gives <see cref="OutputName"/> [B, *OutputShape]: a classifier's "logits" [B, classes], or an
/// image-to-image model's "output" [B, C, H, W] (the image itself, not logits). Every capture point
/// of the model is the name of one value, so an exported model exposes the same activations as the
/// original; the output is the last of them.
/// </summary>
public sealed record ModelGraph(
    string Architecture,
    int[] InputShape,
    int[] OutputShape,
    IReadOnlyList<GraphOp> Ops,
    IReadOnlyList<string> CapturePoints)
{
    public const string InputName = "input";
    /// <summary>The output of a classifier, [B, classes].</summary>
    public const string LogitsName = "logits";
    /// <summary>The output of an image-to-image model, [B, C, H, W].</summary>
    public const string ImageName = "output";

    /// <summary>What the graph's result is called: <see cref="LogitsName"/> for one value per class,
    /// <see cref="ImageName"/> for an image per sample.</summary>
    public string OutputName => OutputShape.Length == 1 ? LogitsName : ImageName;
}

/// <summary>One operation: reads the values it names and writes <see cref="Output"/>.</summary>
public abstract record GraphOp(string Output);

/// <summary>[B, …] → [B, F]: every axis after the batch axis merged.</summary>
public sealed record FlattenOp(string Input, string Output) : GraphOp(Output);

/// <summary>x [B, In] · W [In, Out] (+ b [Out]).</summary>
public sealed record LinearOp(string Input, string Output, float[] Weight, int In, int Out, float[]? Bias) : GraphOp(Output);

/// <summary>2-D convolution of [B, InChannels, H, W] with W [OutChannels, InChannels, K, K], symmetric zero padding.</summary>
public sealed record Conv2dOp(string Input, string Output, float[] Weight, int OutChannels, int InChannels, int Kernel,
    int Stride, int Padding, float[]? Bias) : GraphOp(Output);

/// <summary>Batch norm in evaluation mode: (x − mean) / √(var + ε) · scale + bias, per channel of [B, C, H, W].</summary>
public sealed record BatchNorm2dOp(string Input, string Output, float[] Scale, float[] Bias, float[] Mean, float[] Variance,
    double Epsilon) : GraphOp(Output);

/// <summary>An elementwise activation: relu | tanh.</summary>
public sealed record ActivationOp(string Input, string Output, string Function) : GraphOp(Output);

/// <summary>Max pooling over Kernel×Kernel windows with stride Kernel (the remainder dropped).</summary>
public sealed record MaxPool2dOp(string Input, string Output, int Kernel) : GraphOp(Output);

/// <summary>Average pooling over Kernel×Kernel windows with stride Kernel (the remainder dropped).</summary>
public sealed record AveragePool2dOp(string Input, string Output, int Kernel) : GraphOp(Output);

/// <summary>[B, C, H, W] → [B, C, Scale·H, Scale·W]: every pixel repeated Scale×Scale times (nearest neighbour,
/// output pixel (i, j) takes input pixel (⌊i / Scale⌋, ⌊j / Scale⌋)).</summary>
public sealed record UpsampleNearestOp(string Input, string Output, int Scale) : GraphOp(Output);

/// <summary>[B, C₁, H, W], [B, C₂, H, W], … → [B, C₁ + C₂ + …, H, W]: the channels of the inputs in their order.</summary>
public sealed record ConcatChannelsOp(IReadOnlyList<string> Inputs, string Output) : GraphOp(Output);

/// <summary>Each value clamped to [Min, Max].</summary>
public sealed record ClipOp(string Input, string Output, float Min, float Max) : GraphOp(Output);

/// <summary>[B, C, H, W] → [B, C, 1, 1], the mean over H×W.</summary>
public sealed record GlobalAveragePoolOp(string Input, string Output) : GraphOp(Output);

/// <summary>Elementwise sum of two values of one shape.</summary>
public sealed record AddOp(string Left, string Right, string Output) : GraphOp(Output);

/// <summary>s · cos θ: x [B, In] and the columns of W [In, Classes] each scaled to unit length
/// (divided by max(‖·‖₂, ε)), then multiplied.</summary>
public sealed record CosineClassifierOp(string Input, string Output, float[] Weight, int In, int Classes, double Scale,
    double Epsilon) : GraphOp(Output);
