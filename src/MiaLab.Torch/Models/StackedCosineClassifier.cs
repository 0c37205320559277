using MiaLab.Core.Models;
using MiaLab.Core.Randomness;
using MiaLab.Core.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>
/// K independent cosine classifiers, the normalised last layer of CosFace and ArcFace:
/// x [K, B, in] → s·cos θ [K, B, classes], where θ is the angle between the sample's features
/// and a class's weight vector (both scaled to unit length), so every output lies in [−s, s].
/// Weights are stored [K, in, classes] like <see cref="StackedLinear"/>; there is no bias.
/// The margins of CosFace and ArcFace belong to the loss (<see cref="Training.Losses"/>), so
/// this layer outputs s·cos θ in training and at query time alike.
/// </summary>
internal sealed class StackedCosineClassifier : nn.Module<Tensor, Tensor>, IStackedLayer, IGraphLayer
{
    private readonly Parameter weight;
    private readonly int models, inputs, classes;
    private const double Epsilon = 1e-12;

    public StackedCosineClassifier(int models, int inputs, int classes, double scale) : base(nameof(StackedCosineClassifier))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        this.models = models;
        this.inputs = inputs;
        this.classes = classes;
        Scale = scale;
        weight = new Parameter(torch.zeros(models, inputs, classes));
        RegisterComponents();
    }

    /// <summary>s, the scale of the outputs.</summary>
    public double Scale { get; }

    public override Tensor forward(Tensor x)
    {
        var features = nn.functional.normalize(x, p: 2, dim: 2, eps: Epsilon);
        var classes = nn.functional.normalize(weight, p: 2, dim: 1, eps: Epsilon);
        return torch.bmm(features, classes) * Scale;
    }

    public string Describe(GraphRecorder graph, string x, string? name = null) =>
        graph.Add(new CosineClassifierOp(x, graph.Name(name), graph.Values(weight), inputs, classes, Scale, Epsilon));

    /// As nn.Linear's default, U(±1/√fan_in); only the directions matter after normalisation.
    public void Initialize(int model, StableRandom random) =>
        StackedInit.FillUniform(weight, model, models, random, 1.0 / Math.Sqrt(inputs));
}
