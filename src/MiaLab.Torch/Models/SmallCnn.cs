using MiaLab.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>Small CNN: per stage a 3×3 convolution, ReLU and 2×2 max pooling; then a dense
/// layer of 128 and the classifier, with optional dropout before each dense layer.
/// Capture points: conv1 … convN, dense, logits.</summary>
public sealed class SmallCnn : StackedModel
{
    private readonly StackedConv2d[] convs;
    private readonly StackedLinear dense;
    private readonly nn.Module<Tensor, Tensor> classifier;
    private readonly string[] points;
    private readonly double dropout;
    public const int DenseWidth = 128;

    public SmallCnn(int models, int[] sampleShape, IReadOnlyList<int> channels, int classes, double dropout,
        string classifier = "linear", double cosineScale = 16.0)
        : base(nameof(SmallCnn), models, classes)
    {
        this.dropout = dropout;
        int c = sampleShape[0], h = sampleShape[1], w = sampleShape[2];
        convs = new StackedConv2d[channels.Count];
        for (int s = 0; s < channels.Count; s++)
        {
            convs[s] = new StackedConv2d(models, c, channels[s], kernel: 3, padding: 1);
            register_module($"conv{s + 1}", convs[s]);
            c = channels[s]; h /= 2; w /= 2;
        }
        dense = new StackedLinear(models, c * h * w, DenseWidth);
        this.classifier = ModelZoo.LastLayer(models, DenseWidth, classes, classifier, cosineScale);
        register_module("dense", dense);
        register_module("classifier", this.classifier);
        points = channels.Select((_, s) => $"conv{s + 1}").Append("dense").Append("logits").ToArray();
    }

    public override IReadOnlyList<string> CapturePoints => points;

    internal override string Describe(GraphRecorder graph)
    {
        string x = ModelGraph.InputName;
        for (int s = 0; s < convs.Length; s++)
            x = graph.Add(new MaxPool2dOp(graph.Activation(convs[s].Describe(graph, x), "relu"), points[s], 2));
        x = graph.Add(new FlattenOp(x, graph.Name()));
        x = graph.Activation(dense.Describe(graph, x), "relu", "dense");
        return ((IGraphLayer)classifier).Describe(graph, x, "logits");
    }

    public override Tensor Forward(Tensor x, IDictionary<string, Tensor>? capture)
    {
        for (int s = 0; s < convs.Length; s++)
        {
            x = PerMap(nn.functional.relu(convs[s].forward(x)), m => nn.functional.max_pool2d(m, [2, 2]));
            Record(capture, points[s], x);
        }
        x = Flatten(x);
        if (dropout > 0) x = nn.functional.dropout(x, dropout, training);
        x = nn.functional.relu(dense.forward(x));
        Record(capture, "dense", x);
        if (dropout > 0) x = nn.functional.dropout(x, dropout, training);
        var logits = classifier.forward(x);
        Record(capture, "logits", logits);
        return logits;
    }
}
