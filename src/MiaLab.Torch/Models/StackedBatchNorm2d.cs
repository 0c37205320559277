using MiaLab.Core.Models;
using MiaLab.Core.Randomness;
using MiaLab.Core.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>K independent 2-D batch norms on model-major input [K, B, C, H, W]: each model
/// normalises with its own batch statistics and keeps its own running mean and variance
/// (slices of the stacked buffers, updated in place).</summary>
internal sealed class StackedBatchNorm2d : nn.Module<Tensor, Tensor>, IStackedLayer, IGraphLayer
{
    private readonly Parameter weight, bias;
    private readonly Tensor running_mean, running_var;
    private readonly int models, channels;
    private const double Momentum = 0.1, Epsilon = 1e-5;

    public StackedBatchNorm2d(int models, int channels) : base(nameof(StackedBatchNorm2d))
    {
        this.models = models;
        this.channels = channels;
        weight = new Parameter(torch.ones(models * channels));
        bias = new Parameter(torch.zeros(models * channels));
        running_mean = torch.zeros(models * channels);
        running_var = torch.ones(models * channels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var inputs = x.unbind(0);
        var weights = weight.split(channels, 0);
        var biases = bias.split(channels, 0);
        var perModel = new Tensor[models];
        for (int k = 0; k < models; k++)
        {
            // Running statistics are views into the stacked buffers, so batch_norm updates them in place.
            long at = k * channels;
            perModel[k] = nn.functional.batch_norm(inputs[k], running_mean.narrow(0, at, channels), running_var.narrow(0, at, channels),
                weights[k], biases[k], training, Momentum, Epsilon);
        }
        return torch.stack(perModel);
    }

    public string Describe(GraphRecorder graph, string x, string? name = null) =>
        graph.Add(new BatchNorm2dOp(x, graph.Name(name), graph.Values(weight), graph.Values(bias), graph.Values(running_mean),
            graph.Values(running_var), Epsilon));

    /// Batch norm starts as the identity (weight 1, bias 0, running mean 0, variance 1): nothing to draw.
    public void Initialize(int model, StableRandom random) { }
}
