using MiaLab.Core.Randomness;
using MiaLab.Core.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>Helpers for tensors whose first dimension stacks K models in equal chunks.</summary>
internal static class StackedInit
{
    /// <summary>The chunk of <paramref name="stacked"/> that belongs to one model.</summary>
    public static Tensor Slice(Tensor stacked, int model, int models)
    {
        long chunk = stacked.shape[0] / models;
        return stacked.narrow(0, model * chunk, chunk);
    }

    /// <summary>Fills one model's chunk with U(−bound, bound) drawn from that model's stream.</summary>
    public static void FillUniform(Tensor stacked, int model, int models, StableRandom random, double bound)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope(); // temporaries freed here, not by the finalizer
        var slice = Slice(stacked, model, models);
        var values = new float[slice.numel()];
        for (int i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * bound);
        slice.copy_(torch.tensor(values, slice.shape));
    }
}
