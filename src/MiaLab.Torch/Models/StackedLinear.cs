using MiaLab.Core.Models;
using MiaLab.Core.Randomness;
using MiaLab.Core.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>K independent linear layers applied with one batched matrix product:
/// x [K, B, in] → [K, B, out]. Weights are stored [K, in, out] (input-major, unlike nn.Linear).</summary>
internal sealed class StackedLinear : nn.Module<Tensor, Tensor>, IStackedLayer, IPerExampleLayer, IGraphLayer
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly int models, inputs, outputs;

    public StackedLinear(int models, int inputs, int outputs) : base(nameof(StackedLinear))
    {
        this.models = models;
        this.inputs = inputs;
        this.outputs = outputs;
        weight = new Parameter(torch.zeros(models, inputs, outputs));
        bias = new Parameter(torch.zeros(models, 1, outputs));
        RegisterComponents();
    }

    // The add's alpha, held for the process's life: `a + b` makes a temporary Scalar 1 that
    // TorchSharp 0.107 leaves to the finalizer, which can free it while libtorch still reads it (a
    // defense study's query once died in this add with "toFloat: Expected false to be true").
    private static readonly Scalar One = 1.ToScalar();

    // torch.baddbmm would fuse the bias add, but TorchSharp 0.107 passes its operands to
    // libtorch in the wrong order (shape errors), so the bias is added separately.
    public override Tensor forward(Tensor x)
    {
        var y = torch.bmm(x, weight).add(bias, One);
        if (KeepActivations)
        {
            input = x.detach();
            Output = y;
        }
        return y;
    }

    // ─── per-example gradients: g_kb(W) = a_kb ⊗ δ_kb and g_kb(bias) = δ_kb, so
    // ‖g_kb‖² = ‖a_kb‖²·‖δ_kb‖² + ‖δ_kb‖², and Σ_b s_kb·g_kb(W) is one batched product.
    private Tensor? input;

    public bool KeepActivations { get; set; }
    public Tensor? Output { get; private set; }
    public IReadOnlyList<Parameter> PerExampleParameters => [weight, bias];

    public Tensor SquaredNorms(Tensor outputGrad)
    {
        var delta = outputGrad.pow(2).sum(2);
        return input!.pow(2).sum(2) * delta + delta;
    }

    public void SetScaledGradientSum(Tensor outputGrad, Tensor scale)
    {
        var scaled = outputGrad * scale.unsqueeze(2);
        weight.grad = torch.bmm(input!.transpose(1, 2), scaled).detach();
        bias.grad = scaled.sum(1, keepdim: true).detach();
    }

    public void Release()
    {
        input = null;
        Output = null;
    }

    public string Describe(GraphRecorder graph, string x, string? name = null) =>
        graph.Add(new LinearOp(x, graph.Name(name), graph.Values(weight), inputs, outputs, graph.Values(bias)));

    /// PyTorch's nn.Linear default: U(±1/√fan_in) for weights and bias.
    public void Initialize(int model, StableRandom random)
    {
        double bound = 1.0 / Math.Sqrt(inputs);
        StackedInit.FillUniform(weight, model, models, random, bound);
        StackedInit.FillUniform(bias, model, models, random, bound);
    }
}
