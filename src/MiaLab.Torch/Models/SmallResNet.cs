using MiaLab.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>Small ResNet: a 3×3 stem, then stages of basic residual blocks (the first block of
/// each later stage halves the resolution), global average pooling and the classifier.
/// Each model keeps its own batch-norm statistics.
/// Capture points: stem, stage1 … stageN, logits.</summary>
public sealed class SmallResNet : StackedModel
{
    private readonly StackedConv2d stem;
    private readonly StackedBatchNorm2d stemNorm;
    private readonly ResidualBlock[][] stages;
    private readonly nn.Module<Tensor, Tensor> classifier;
    private readonly string[] points;
    private readonly double dropout;

    public SmallResNet(int models, int[] sampleShape, IReadOnlyList<int> channels, int blocksPerStage, int classes, double dropout,
        string classifier = "linear", double cosineScale = 16.0)
        : base(nameof(SmallResNet), models, classes)
    {
        this.dropout = dropout;
        int c = channels[0];
        stem = new StackedConv2d(models, sampleShape[0], c, kernel: 3, padding: 1, withBias: false);
        stemNorm = new StackedBatchNorm2d(models, c);
        register_module("stem", stem);
        register_module("stem_norm", stemNorm);
        stages = new ResidualBlock[channels.Count][];
        for (int s = 0; s < channels.Count; s++)
        {
            stages[s] = new ResidualBlock[blocksPerStage];
            for (int b = 0; b < blocksPerStage; b++)
            {
                int stride = s > 0 && b == 0 ? 2 : 1;
                stages[s][b] = new ResidualBlock(models, c, channels[s], stride);
                register_module($"stage{s + 1}_block{b + 1}", stages[s][b]);
                c = channels[s];
            }
        }
        this.classifier = ModelZoo.LastLayer(models, c, classes, classifier, cosineScale);
        register_module("classifier", this.classifier);
        points = channels.Select((_, s) => $"stage{s + 1}").Prepend("stem").Append("logits").ToArray();
    }

    public override IReadOnlyList<string> CapturePoints => points;

    internal override string Describe(GraphRecorder graph)
    {
        string x = graph.Activation(stemNorm.Describe(graph, stem.Describe(graph, ModelGraph.InputName)), "relu", "stem");
        for (int s = 0; s < stages.Length; s++)
            for (int b = 0; b < stages[s].Length; b++)
                x = stages[s][b].Describe(graph, x, b == stages[s].Length - 1 ? $"stage{s + 1}" : null);
        x = graph.Add(new FlattenOp(graph.Add(new GlobalAveragePoolOp(x, graph.Name())), graph.Name()));
        return ((IGraphLayer)classifier).Describe(graph, x, "logits");
    }

    public override Tensor Forward(Tensor x, IDictionary<string, Tensor>? capture)
    {
        x = nn.functional.relu(stemNorm.forward(stem.forward(x)));
        Record(capture, "stem", x);
        for (int s = 0; s < stages.Length; s++)
        {
            foreach (var block in stages[s]) x = block.forward(x);
            Record(capture, $"stage{s + 1}", x);
        }
        x = Flatten(PerMap(x, m => nn.functional.adaptive_avg_pool2d(m, [1, 1])));
        if (dropout > 0) x = nn.functional.dropout(x, dropout, training);
        var logits = classifier.forward(x);
        Record(capture, "logits", logits);
        return logits;
    }

    /// <summary>conv–BN–ReLU–conv–BN plus a shortcut (1×1 conv + BN when the shape changes).</summary>
    private sealed class ResidualBlock : nn.Module<Tensor, Tensor>
    {
        private readonly StackedConv2d conv1, conv2;
        private readonly StackedBatchNorm2d norm1, norm2;
        private readonly StackedConv2d? shortcut;
        private readonly StackedBatchNorm2d? shortcutNorm;

        public ResidualBlock(int models, int inputs, int outputs, int stride) : base(nameof(ResidualBlock))
        {
            conv1 = new StackedConv2d(models, inputs, outputs, kernel: 3, stride: stride, padding: 1, withBias: false);
            norm1 = new StackedBatchNorm2d(models, outputs);
            conv2 = new StackedConv2d(models, outputs, outputs, kernel: 3, padding: 1, withBias: false);
            norm2 = new StackedBatchNorm2d(models, outputs);
            if (stride != 1 || inputs != outputs)
            {
                shortcut = new StackedConv2d(models, inputs, outputs, kernel: 1, stride: stride, withBias: false);
                shortcutNorm = new StackedBatchNorm2d(models, outputs);
            }
            RegisterComponents();
        }

        public string Describe(GraphRecorder graph, string x, string? name)
        {
            string y = graph.Activation(norm1.Describe(graph, conv1.Describe(graph, x)), "relu");
            y = norm2.Describe(graph, conv2.Describe(graph, y));
            string skip = shortcut is null ? x : shortcutNorm!.Describe(graph, shortcut.Describe(graph, x));
            return graph.Activation(graph.Add(new AddOp(y, skip, graph.Name())), "relu", name);
        }

        public override Tensor forward(Tensor x)
        {
            var y = nn.functional.relu(norm1.forward(conv1.forward(x)));
            y = norm2.forward(conv2.forward(y));
            var skip = shortcut is null ? x : shortcutNorm!.forward(shortcut.forward(x));
            return nn.functional.relu(y + skip);
        }
    }
}
