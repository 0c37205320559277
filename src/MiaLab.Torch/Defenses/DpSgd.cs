using MiaLab.Core;
using MiaLab.Core.Privacy;
using MiaLab.Torch.Models;
using MiaLab.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiaLab.Torch.Defenses;

/// <summary>
/// DP-SGD (Abadi et al. 2016; ALGORITHMS.md §12) as a gradient step: every example's gradient is
/// clipped to norm C, the clipped gradients are summed, Gaussian noise N(0, σ²C²) is added to the
/// sum, and the result is divided by the expected batch q·N (Opacus's normalisation under Poisson
/// sampling, which does not reveal the actual batch size). Per-example gradients come from each
/// layer's input and output gradient (<see cref="IPerExampleLayer"/>): one forward, one autograd
/// pass to the layer outputs, no per-example backward. Each of the K stacked models is clipped on
/// its own gradient and gets its own noise, drawn from its own generator, so it trains the same
/// whether K = 1 or K = 16.
/// </summary>
public sealed class DpSgdGradients : IGradientStep, IDisposable
{
    private readonly double noiseMultiplier, maxGradNorm;
    private readonly double[] expectedBatch;
    private readonly long[] noiseSeeds;
    private torch.Generator[] generators = [];
    private IPerExampleLayer[] layers = [];

    /// <param name="expectedBatch">Per model, q·N (its training-set size times the sample rate).</param>
    /// <param name="noiseSeeds">Per model, the seed of its noise.</param>
    public DpSgdGradients(double noiseMultiplier, double maxGradNorm, IReadOnlyList<double> expectedBatch, IReadOnlyList<long> noiseSeeds)
    {
        PrivacyArguments.CheckNoise(noiseMultiplier);
        if (!(maxGradNorm > 0)) throw new InputException($"DP-SGD's clipping norm C must be > 0 (got {maxGradNorm})");
        this.noiseMultiplier = noiseMultiplier;
        this.maxGradNorm = maxGradNorm;
        this.expectedBatch = expectedBatch.ToArray();
        this.noiseSeeds = noiseSeeds.ToArray();
    }

    public void Prepare(StackedModel model)
    {
        layers = model.modules().OfType<IPerExampleLayer>().ToArray();
        var covered = layers.SelectMany(l => l.PerExampleParameters).Select(p => p.Handle).ToHashSet();
        var other = model.named_parameters().FirstOrDefault(p => !covered.Contains(p.parameter.Handle));
        if (other.parameter is not null)
            throw new InputException($"DP-SGD needs per-example gradients of every parameter, and '{other.name}' of {model.GetName()} " +
                "has none (a BatchNorm mixes the examples of a batch; a cosine classifier is not supported); use model.kind mlp or cnn with a linear classifier");
        if (expectedBatch.Length != model.Models || noiseSeeds.Length != model.Models)
            throw new ArgumentException("need one expected batch and one noise seed per model");
        foreach (var layer in layers) layer.KeepActivations = true;
        generators = noiseSeeds.Select(s => new torch.Generator((ulong)s)).ToArray();
    }

    public void Backward(StackedModel model, Tensor perSampleLoss, Tensor weight, TrainingStep step)
    {
        // Each example's own loss, summed: ∂/∂output of the sum is, row by row, the example's gradient.
        var total = (perSampleLoss * weight).sum();
        var outputs = layers.Select(l => l.Output ?? throw new InvalidOperationException("a layer kept no output")).ToList();
        var grads = torch.autograd.grad([total], outputs);
        Tensor squared = torch.zeros_like(weight);
        for (int l = 0; l < layers.Length; l++) squared += layers[l].SquaredNorms(grads[l]);
        // Opacus's factor: min(1, C / (‖g‖ + 1e-6)); C = ∞ leaves every gradient as it is.
        var scale = double.IsPositiveInfinity(maxGradNorm)
            ? torch.ones_like(squared)
            : (maxGradNorm / (squared.sqrt() + 1e-6)).clamp_max(1.0);
        for (int l = 0; l < layers.Length; l++) layers[l].SetScaledGradientSum(grads[l], scale);
        using var divisor = torch.tensor(expectedBatch.Select(b => (float)b).ToArray());
        foreach (var layer in layers)
        {
            foreach (var p in layer.PerExampleParameters)
            {
                var g = p.grad!;
                var perModel = g.view(model.Models, -1);
                if (noiseMultiplier > 0) perModel.add_(Noise(perModel.shape[1]) * (noiseMultiplier * maxGradNorm));
                perModel.div_(divisor.unsqueeze(1));
            }
            layer.Release();
        }
    }

    private Tensor Noise(long perModel) =>
        torch.stack(generators.Select(g => torch.randn([perModel], generator: g)).ToArray());

    /// <summary>Frees the generators (native handles, never left to the finalizer thread) and stops
    /// the layers keeping activations.</summary>
    public void Dispose()
    {
        foreach (var g in generators) g.Dispose();
        generators = [];
        foreach (var layer in layers)
        {
            layer.KeepActivations = false;
            layer.Release();
        }
    }
}
