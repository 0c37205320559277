using MiaLab.Core;
using MiaLab.Core.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>
/// Weights on disk: an NPZ of named float32 tensors, which numpy reads. One model of a stack
/// saves its slice of every stacked tensor (parameters and batch-norm running statistics) and
/// loads into any slot of a stack of the same architecture; any other module (e.g. a MINT
/// detector) saves its named state the same way. Stacked linear weights are stored [in, out].
/// </summary>
public static class ModelWeights
{
    public static void Save(StackedModel model, int slot, string path) =>
        SaveState(model.StackedState().Select(s => (s.Name, Slot(model, s.Tensor, slot))), path);

    public static void Load(StackedModel model, int slot, string path) =>
        LoadState(model.StackedState().Select(s => (s.Name, StackedInit.Slice(s.Tensor, slot, model.Models))), path);

    /// <summary>Writes named tensors (atomically) as float32 arrays of their own shapes.</summary>
    public static void SaveState(IEnumerable<(string Name, Tensor Tensor)> state, string path)
    {
        var arrays = new Dictionary<string, NpyArray>();
        using var scope = torch.NewDisposeScope(); // temporaries freed here, not by the finalizer
        foreach (var (name, tensor) in state)
        {
            var values = TorchDevice.Host(tensor.detach().contiguous().to(ScalarType.Float32));
            arrays[name] = new NpyArray(values.data<float>().ToArray(), values.shape.Select(d => (int)d).ToArray());
        }
        Npz.Write(path, arrays);
    }

    /// <summary>Copies the file's tensors into the given ones (in place), checking names and sizes.</summary>
    public static void LoadState(IEnumerable<(string Name, Tensor Tensor)> state, string path)
    {
        var arrays = Npz.Read(path);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        foreach (var (name, tensor) in state)
        {
            if (!arrays.TryGetValue(name, out var array))
                throw new InputException($"{path}: no tensor '{name}'; the weights belong to another architecture");
            if (array.Length != tensor.numel())
                throw new InputException($"{path}: tensor '{name}' has {array.Length} values, the model needs {tensor.numel()}");
            tensor.copy_(torch.tensor(array.ToFloat32(), tensor.shape).to(tensor.dtype));
        }
    }

    /// <summary>A stacked tensor's slice for one model; [1, …] slices of [K, …] stacks drop the 1.</summary>
    private static Tensor Slot(StackedModel model, Tensor stacked, int slot)
    {
        var slice = StackedInit.Slice(stacked, slot, model.Models);
        return stacked.shape[0] == model.Models && slice.shape[0] == 1 ? slice.squeeze(0) : slice;
    }
}
