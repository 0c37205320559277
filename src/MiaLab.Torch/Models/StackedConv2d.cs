using MiaLab.Core.Models;
using MiaLab.Core.Randomness;
using MiaLab.Core.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>
/// K independent 2-D convolutions on model-major input x [K, B, Cin, H, W] → [K, B, Cout, H', W'].
/// Each model's slice x[k] is contiguous and gets its own convolution: on CPU this measured
/// 2–4× faster than one grouped convolution over side-by-side channels (libtorch's grouped
/// kernels are slow there), and it is the very code a single model runs.
/// </summary>
internal sealed class StackedConv2d : nn.Module<Tensor, Tensor>, IStackedLayer, IPerExampleLayer, IGraphLayer
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly int models, inputs, outputs, kernel;
    private readonly long[] stride, padding;

    public StackedConv2d(int models, int inputs, int outputs, int kernel, int stride = 1, int padding = 0, bool withBias = true)
        : base(nameof(StackedConv2d))
    {
        this.models = models;
        this.inputs = inputs;
        this.outputs = outputs;
        this.kernel = kernel;
        this.stride = [stride, stride];
        this.padding = [padding, padding];
        weight = new Parameter(torch.zeros(models * outputs, inputs, kernel, kernel));
        bias = withBias ? new Parameter(torch.zeros(models * outputs)) : null;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        // unbind/split, unlike indexing or narrow, back-propagate in one pass over the stack
        // instead of one full-size gradient per model.
        var inputs = x.unbind(0);
        var weights = weight.split(outputs, 0);
        var biases = bias?.split(outputs, 0);
        var perModel = new Tensor[models];
        for (int k = 0; k < models; k++)
            perModel[k] = nn.functional.conv2d(inputs[k], weights[k], biases?[k], stride, padding);
        var y = torch.stack(perModel);
        if (KeepActivations)
        {
            input = x.detach();
            Output = y;
        }
        return y;
    }

    // ─── per-example gradients: with U_kb the unfolded input patches [Cin·k·k, P] and δ_kb the
    // output gradient [Cout, P], g_kb(W) = δ_kb·U_kbᵀ and g_kb(bias) = Σ_p δ_kb. They are
    // materialised once (B·Cout·Cin·k² floats per model) for both the norms and the scaled sum.
    private Tensor? input, perExample;

    public bool KeepActivations { get; set; }
    public Tensor? Output { get; private set; }
    public IReadOnlyList<Parameter> PerExampleParameters => bias is null ? [weight] : [weight, bias];

    public Tensor SquaredNorms(Tensor outputGrad)
    {
        long k = input!.shape[0], b = input.shape[1];
        var patches = nn.functional.unfold(input.reshape(k * b, input.shape[2], input.shape[3], input.shape[4]),
            kernel, dilation: 1, padding: padding[0], stride: stride[0]);
        var delta = outputGrad.reshape(k * b, outputs, -1);
        perExample = torch.bmm(delta, patches.transpose(1, 2)); // [K·B, Cout, Cin·k·k]
        var norms = perExample.pow(2).sum([1, 2]);
        if (bias is not null) norms += delta.sum(2).pow(2).sum(1);
        return norms.view(k, b);
    }

    public void SetScaledGradientSum(Tensor outputGrad, Tensor scale)
    {
        long k = input!.shape[0], b = input.shape[1];
        var s = scale.reshape(k, b, 1, 1);
        weight.grad = (perExample!.view(k, b, outputs, -1) * s).sum(1).reshape(weight.shape).detach();
        if (bias is not null)
            bias.grad = (outputGrad.reshape(k, b, outputs, -1).sum(3) * scale.reshape(k, b, 1)).sum(1).reshape(bias.shape).detach();
    }

    public void Release()
    {
        input = perExample = null;
        Output = null;
    }

    public string Describe(GraphRecorder graph, string x, string? name = null) =>
        graph.Add(new Conv2dOp(x, graph.Name(name), graph.Values(weight), outputs, inputs, kernel, (int)stride[0], (int)padding[0],
            bias is null ? null : graph.Values(bias)));

    /// PyTorch's nn.Conv2d default: U(±1/√fan_in), fan_in = Cin·k·k.
    public void Initialize(int model, StableRandom random)
    {
        double bound = 1.0 / Math.Sqrt(inputs * kernel * kernel);
        StackedInit.FillUniform(weight, model, models, random, bound);
        if (bias is not null) StackedInit.FillUniform(bias, model, models, random, bound);
    }
}
