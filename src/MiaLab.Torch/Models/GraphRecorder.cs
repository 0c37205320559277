using MiaLab.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>
/// Writes one model of a stack (slot k) as a <see cref="ModelGraph"/>: each stacked layer adds its
/// operation with its slice of the weights, and each model names its capture points, in the order
/// its Forward runs them. Values that are not capture points get fresh names (v0, v1, …).
/// </summary>
internal sealed class GraphRecorder(int slot, int models)
{
    private readonly List<GraphOp> _ops = [];
    private int _next;

    public int Slot { get; } = slot;

    /// <summary>The given name, or a fresh one.</summary>
    public string Name(string? name = null) => name ?? $"v{_next++}";

    public string Add(GraphOp op)
    {
        _ops.Add(op);
        return op.Output;
    }

    public string Activation(string x, string function, string? name = null) => Add(new ActivationOp(x, Name(name), function));

    public ModelGraph Build(string architecture, int[] inputShape, int[] outputShape, IReadOnlyList<string> capturePoints) =>
        new(architecture, inputShape, outputShape, _ops.ToList(), capturePoints);

    /// <summary>This slot's chunk of a stacked tensor as float32 values in C order.</summary>
    public float[] Values(Tensor stacked)
    {
        using var scope = torch.NewDisposeScope();
        var slice = TorchDevice.Host(StackedInit.Slice(stacked, Slot, models).detach().contiguous().to(ScalarType.Float32));
        return slice.data<float>().ToArray();
    }
}
