using MiaLab.Core.Models;
using MiaLab.Core.Randomness;
using MiaLab.Core.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>
/// K models of one architecture held in stacked tensors, so that one forward/backward pass
/// trains or queries all of them; K = 1 is an ordinary single model. Every model exposes named
/// capture points (hidden layers, conv stages, logits) whose activations Forward can record.
/// </summary>
public abstract class StackedModel : nn.Module<Tensor, Tensor>
{
    protected StackedModel(string name, int models, int classes) : base(name)
    {
        Models = models;
        Classes = classes;
    }

    /// <summary>K, the number of models held.</summary>
    public int Models { get; }
    public int Classes { get; }

    /// <summary>The shape of one model's output for one sample: [Classes] for a classifier, [C, H, W] for an image-to-image model.</summary>
    public virtual IReadOnlyList<int> OutputShape => [Classes];

    /// <summary>The points whose activations can be captured, in forward order; the last is the output
    /// ("logits" for a classifier, "output" for an image-to-image model).</summary>
    public abstract IReadOnlyList<string> CapturePoints { get; }

    /// <summary>x [K, B, *sample shape] → outputs [K, B, *OutputShape] (logits [K, B, C] for a classifier).</summary>
    public override Tensor forward(Tensor x) => Forward(x, null);

    /// <summary>As forward; when <paramref name="capture"/> is given, stores the activation at each
    /// capture point as [K, B, features] (vectors) or [K, B, C, H, W] (conv maps).</summary>
    public abstract Tensor Forward(Tensor x, IDictionary<string, Tensor>? capture);

    /// <summary>Model <paramref name="slot"/> of the stack as plain operations with its weights (what
    /// the ONNX exporter writes), taking samples of <paramref name="sampleShape"/>. Its values named
    /// like the capture points hold the same activations Forward records.</summary>
    public ModelGraph ToGraph(int slot, int[] sampleShape)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, Models);
        var recorder = new GraphRecorder(slot, Models);
        using var noGrad = torch.no_grad();
        string output = Describe(recorder);
        var graph = recorder.Build(GetType().Name, sampleShape, [.. OutputShape], CapturePoints);
        if (output != graph.OutputName || CapturePoints[^1] != graph.OutputName)
            throw new InvalidOperationException($"{GetType().Name}.Describe ended on '{output}' (last capture point '{CapturePoints[^1]}'), not '{graph.OutputName}'");
        return graph;
    }

    /// <summary>Writes the evaluation-mode forward pass of the recorder's slot, from
    /// <see cref="ModelGraph.InputName"/> to <see cref="ModelGraph.OutputName"/> (logits for a
    /// classifier, output for an image-to-image model), naming each capture point's value after it.
    /// Returns the last value's name.</summary>
    internal abstract string Describe(GraphRecorder graph);

    /// <summary>Draws model k's initial weights from its own seed, layer by layer.</summary>
    public void Initialize(IReadOnlyList<int> seeds)
    {
        if (seeds.Count != Models) throw new ArgumentException($"need {Models} seeds, got {seeds.Count}");
        var layers = modules().OfType<IStackedLayer>().ToList();
        for (int k = 0; k < Models; k++)
        {
            var random = new StableRandom((ulong)seeds[k]);
            foreach (var layer in layers) layer.Initialize(k, random);
        }
    }

    /// <summary>The named tensors (parameters and running statistics) that make up the models.
    /// Every one has first dimension K × chunk; chunk k belongs to model k.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> StackedState() =>
        named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(named_buffers().Where(b => b.buffer.dim() > 0).Select(b => (b.name, b.buffer)));

    protected static void Record(IDictionary<string, Tensor>? capture, string point, Tensor value)
    {
        if (capture is not null) capture[point] = value;
    }

    // Conv models keep activations model-major, [K, B, C, H, W]. Pooling works on 4-D maps,
    // so the K and B dimensions are merged around it.
    protected static Tensor PerMap(Tensor x, Func<Tensor, Tensor> op)
    {
        long k = x.shape[0], b = x.shape[1];
        var y = op(x.reshape(k * b, x.shape[2], x.shape[3], x.shape[4]));
        return y.view(k, b, y.shape[1], y.shape[2], y.shape[3]);
    }

    /// <summary>[K, B, C, H, W] → [K, B, C·H·W].</summary>
    protected static Tensor Flatten(Tensor x) => x.reshape(x.shape[0], x.shape[1], -1);
}
