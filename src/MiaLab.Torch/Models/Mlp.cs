using MiaLab.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>Multilayer perceptron: hidden layers with ReLU or tanh and optional dropout.
/// Capture points: hidden1 … hiddenN, logits.</summary>
public sealed class Mlp : StackedModel
{
    private readonly nn.Module<Tensor, Tensor>[] layers;
    private readonly string[] points;
    private readonly bool tanh;
    private readonly double dropout;

    public Mlp(int models, int inputs, IReadOnlyList<int> hidden, int classes, string activation, double dropout,
        string classifier = "linear", double cosineScale = 16.0)
        : base(nameof(Mlp), models, classes)
    {
        tanh = activation == "tanh";
        this.dropout = dropout;
        var widths = new List<int> { inputs };
        widths.AddRange(hidden);
        widths.Add(classes);
        layers = new nn.Module<Tensor, Tensor>[widths.Count - 1];
        for (int i = 0; i < layers.Length; i++)
        {
            layers[i] = i < layers.Length - 1
                ? new StackedLinear(models, widths[i], widths[i + 1])
                : ModelZoo.LastLayer(models, widths[i], widths[i + 1], classifier, cosineScale);
            register_module($"layer{i}", layers[i]);
        }
        points = hidden.Select((_, i) => $"hidden{i + 1}").Append("logits").ToArray();
    }

    public override IReadOnlyList<string> CapturePoints => points;

    internal override string Describe(GraphRecorder graph)
    {
        string x = graph.Add(new FlattenOp(ModelGraph.InputName, graph.Name()));
        for (int i = 0; i < layers.Length - 1; i++)
            x = graph.Activation(((IGraphLayer)layers[i]).Describe(graph, x), tanh ? "tanh" : "relu", points[i]);
        return ((IGraphLayer)layers[^1]).Describe(graph, x, "logits");
    }

    public override Tensor Forward(Tensor x, IDictionary<string, Tensor>? capture)
    {
        x = x.reshape(x.shape[0], x.shape[1], -1);
        for (int i = 0; i < layers.Length - 1; i++)
        {
            x = layers[i].forward(x);
            x = tanh ? x.tanh() : nn.functional.relu(x);
            Record(capture, points[i], x);
            if (dropout > 0) x = nn.functional.dropout(x, dropout, training);
        }
        var logits = layers[^1].forward(x);
        Record(capture, "logits", logits);
        return logits;
    }
}
