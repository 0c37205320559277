using MiaLab.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>The CNN audited in the object-classification MINT paper (Mancera, DeAlcala et al. 2026):
/// per block two 3×3 convolutions (padding 1), each followed by batch norm and ReLU, then 2×2 max
/// pooling and dropout; after the last block a dense layer of 128 (ReLU) and the classifier. The
/// paper's blocks have 32, 64 and 128 filters (<c>model.channels: [32, 64, 128]</c>).
/// Capture points: block1 … blockN (after pooling), dense, logits.</summary>
public sealed class MintPaperCnn : StackedModel
{
    public const string Kind = "mint-paper-cnn";
    public const int DenseWidth = 128;

    private readonly StackedConv2d[] convs;
    private readonly StackedBatchNorm2d[] norms;
    private readonly StackedLinear dense;
    private readonly nn.Module<Tensor, Tensor> classifier;
    private readonly string[] points;
    private readonly double dropout;

    public MintPaperCnn(int models, int[] sampleShape, IReadOnlyList<int> channels, int classes, double dropout,
        string classifier = "linear", double cosineScale = 16.0)
        : base(nameof(MintPaperCnn), models, classes)
    {
        this.dropout = dropout;
        int c = sampleShape[0], h = sampleShape[1], w = sampleShape[2];
        convs = new StackedConv2d[2 * channels.Count];
        norms = new StackedBatchNorm2d[2 * channels.Count];
        for (int b = 0; b < channels.Count; b++)
        {
            for (int j = 0; j < 2; j++)
            {
                // No conv bias: the batch norm after it has its own shift.
                convs[2 * b + j] = new StackedConv2d(models, j == 0 ? c : channels[b], channels[b], kernel: 3, padding: 1, withBias: false);
                norms[2 * b + j] = new StackedBatchNorm2d(models, channels[b]);
                register_module($"block{b + 1}_conv{j + 1}", convs[2 * b + j]);
                register_module($"block{b + 1}_norm{j + 1}", norms[2 * b + j]);
            }
            c = channels[b]; h /= 2; w /= 2;
        }
        if (h < 1 || w < 1)
            throw new MiaLab.Core.InputException($"model.channels lists {channels.Count} blocks, but {sampleShape[1]}×{sampleShape[2]} images halve to nothing after {channels.Count} poolings");
        dense = new StackedLinear(models, c * h * w, DenseWidth);
        this.classifier = ModelZoo.LastLayer(models, DenseWidth, classes, classifier, cosineScale);
        register_module("dense", dense);
        register_module("classifier", this.classifier);
        points = channels.Select((_, b) => $"block{b + 1}").Append("dense").Append("logits").ToArray();
    }

    public override IReadOnlyList<string> CapturePoints => points;

    internal override string Describe(GraphRecorder graph)
    {
        string x = ModelGraph.InputName;
        for (int b = 0; b < convs.Length / 2; b++)
        {
            for (int j = 0; j < 2; j++)
                x = graph.Activation(norms[2 * b + j].Describe(graph, convs[2 * b + j].Describe(graph, x)), "relu");
            x = graph.Add(new MaxPool2dOp(x, points[b], 2));
        }
        x = graph.Add(new FlattenOp(x, graph.Name()));
        x = graph.Activation(dense.Describe(graph, x), "relu", "dense");
        return ((IGraphLayer)classifier).Describe(graph, x, "logits");
    }

    public override Tensor Forward(Tensor x, IDictionary<string, Tensor>? capture)
    {
        int blocks = convs.Length / 2;
        for (int b = 0; b < blocks; b++)
        {
            x = nn.functional.relu(norms[2 * b].forward(convs[2 * b].forward(x)));
            x = nn.functional.relu(norms[2 * b + 1].forward(convs[2 * b + 1].forward(x)));
            x = PerMap(x, m => nn.functional.max_pool2d(m, [2, 2]));
            Record(capture, points[b], x);
            if (dropout > 0) x = nn.functional.dropout(x, dropout, training);
        }
        x = nn.functional.relu(dense.forward(Flatten(x)));
        Record(capture, "dense", x);
        var logits = classifier.forward(x);
        Record(capture, "logits", logits);
        return logits;
    }
}
