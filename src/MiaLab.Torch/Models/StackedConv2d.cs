using MiaLab.Core.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>K independent 2-D convolutions run as one grouped convolution: the input holds the
/// K models' channels side by side, x [B, K·Cin, H, W] → [B, K·Cout, H', W'].</summary>
internal sealed class StackedConv2d : nn.Module<Tensor, Tensor>, IStackedLayer
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly int models, inputs, kernel;
    private readonly long[] stride, padding;

    public StackedConv2d(int models, int inputs, int outputs, int kernel, int stride = 1, int padding = 0, bool withBias = true)
        : base(nameof(StackedConv2d))
    {
        this.models = models;
        this.inputs = inputs;
        this.kernel = kernel;
        this.stride = [stride, stride];
        this.padding = [padding, padding];
        weight = new Parameter(torch.zeros(models * outputs, inputs, kernel, kernel));
        bias = withBias ? new Parameter(torch.zeros(models * outputs)) : null;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        nn.functional.conv2d(x, weight, bias, stride, padding, groups: models);

    /// PyTorch's nn.Conv2d default: U(±1/√fan_in), fan_in = Cin·k·k.
    public void Initialize(int model, StableRandom random)
    {
        double bound = 1.0 / Math.Sqrt(inputs * kernel * kernel);
        StackedInit.FillUniform(weight, model, models, random, bound);
        if (bias is not null) StackedInit.FillUniform(bias, model, models, random, bound);
    }
}
