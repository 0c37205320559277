using MiaLab.Core.Randomness;
using MiaLab.Core.Runs;
using MiaLab.Torch.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiaLab.Torch.Mint;

/// <summary>A MINT network: input [B, …] → one logit per sample [B] (sigmoid = probability of "used").
/// Weights are drawn from a <see cref="StableRandom"/> and dropout masks from the network's own
/// generator, so training does not depend on libtorch's global random state.</summary>
internal abstract class MintNetwork : nn.Module<Tensor, Tensor>
{
    private readonly double dropout;
    private readonly Generator generator;

    protected MintNetwork(string name, double dropout, int seed) : base(name)
    {
        this.dropout = dropout;
        generator = new Generator((ulong)Seeds.Derive(seed, "mint-dropout", 0));
    }

    /// <summary>The weight the L1 penalty applies to (the vanilla model's first dense layer).</summary>
    public virtual Tensor? Penalised => null;

    /// <summary>The activations [B, h] of the last training forward pass the activity penalty applies to
    /// (the vanilla model's first dense layer after ReLU).</summary>
    public Tensor? PenalisedActivity { get; protected set; }

    /// <summary>Parameters and non-scalar buffers, by name: what a detector file stores.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> State() =>
        named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(named_buffers().Where(b => b.buffer.dim() > 0).Select(b => (b.name, b.buffer)));

    /// <summary>Inverted dropout with a mask from this network's generator.</summary>
    protected Tensor Dropout(Tensor x)
    {
        if (!training || dropout <= 0) return x;
        var keep = torch.rand(x.shape, generator: generator).ge(dropout).to(x.dtype);
        return x * keep / (1 - dropout);
    }

    /// <summary>PyTorch's default range for linear and conv layers: U(±1/√fan_in) for weight and bias.</summary>
    protected static void Init(StableRandom random, Tensor weight, Tensor? bias, long fanIn)
    {
        double bound = 1.0 / Math.Sqrt(fanIn);
        StackedInit.FillUniform(weight, 0, 1, random, bound);
        if (bias is not null) StackedInit.FillUniform(bias, 0, 1, random, bound);
    }
}

/// <summary>Vanilla MINT: Dense h (ReLU) → BatchNorm → Dropout → Dense 1.</summary>
internal sealed class VanillaMintNetwork : MintNetwork
{
    private readonly Linear dense, output;
    private readonly BatchNorm1d norm;

    public VanillaMintNetwork(int inputs, int hidden, double dropout, int seed) : base(nameof(VanillaMintNetwork), dropout, seed)
    {
        dense = nn.Linear(inputs, hidden);
        norm = nn.BatchNorm1d(hidden);
        output = nn.Linear(hidden, 1);
        register_module("dense", dense);
        register_module("norm", norm);
        register_module("output", output);
        var random = new StableRandom(Seeds.Derive64(seed, "mint-init", 0));
        Init(random, dense.weight!, dense.bias, inputs);
        Init(random, output.weight!, output.bias, hidden);
    }

    public override Tensor? Penalised => dense.weight;

    public override Tensor forward(Tensor x)
    {
        var a = nn.functional.relu(dense.forward(x));
        if (training) PenalisedActivity = a;
        var h = norm.forward(a);
        return output.forward(Dropout(h)).squeeze(-1);
    }
}

/// <summary>CNN MINT on a conv map [C, H, W]: Conv f×5×5 (padding 2), ReLU → MaxPool 2 → flatten →
/// Dense h (ReLU) → Dropout → Dense 1.</summary>
internal sealed class CnnMintNetwork : MintNetwork
{
    private readonly Conv2d conv;
    private readonly Linear dense, output;

    public CnnMintNetwork(int[] inputShape, int filters, int hidden, double dropout, int seed) : base(nameof(CnnMintNetwork), dropout, seed)
    {
        int c = inputShape[0], h = inputShape[1] / 2, w = inputShape[2] / 2;
        conv = nn.Conv2d(c, filters, 5, padding: 2);
        dense = nn.Linear((long)filters * h * w, hidden);
        output = nn.Linear(hidden, 1);
        register_module("conv", conv);
        register_module("dense", dense);
        register_module("output", output);
        var random = new StableRandom(Seeds.Derive64(seed, "mint-init", 0));
        Init(random, conv.weight!, conv.bias, c * 25L);
        Init(random, dense.weight!, dense.bias, (long)filters * h * w);
        Init(random, output.weight!, output.bias, hidden);
    }

    public override Tensor forward(Tensor x)
    {
        var y = nn.functional.max_pool2d(nn.functional.relu(conv.forward(x)), [2, 2]);
        y = nn.functional.relu(dense.forward(y.flatten(1)));
        return output.forward(Dropout(y)).squeeze(-1);
    }
}
