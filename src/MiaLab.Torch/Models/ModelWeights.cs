using MiaLab.Core;
using MiaLab.Core.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>
/// Saves one model of a stack as an NPZ of its named tensors (parameters and batch-norm running
/// statistics, float32), so numpy reads it; loads such a file into any slot of a stack of the
/// same architecture. Stacked linear weights are stored input-major, [in, out].
/// </summary>
public static class ModelWeights
{
    public static void Save(StackedModel model, int slot, string path)
    {
        var arrays = new Dictionary<string, NpyArray>();
        foreach (var (name, tensor) in model.StackedState())
        {
            var slice = StackedInit.Slice(tensor, slot, model.Models).detach().contiguous().to(ScalarType.Float32);
            int[] shape = slice.shape.Skip(tensor.shape[0] == model.Models ? 1 : 0).Select(d => (int)d).ToArray();
            arrays[name] = new NpyArray(slice.data<float>().ToArray(), shape);
        }
        Npz.Write(path, arrays);
    }

    public static void Load(StackedModel model, int slot, string path)
    {
        var arrays = Npz.Read(path);
        using var noGrad = torch.no_grad();
        foreach (var (name, tensor) in model.StackedState())
        {
            if (!arrays.TryGetValue(name, out var array))
                throw new InputException($"{path}: no tensor '{name}'; the weights belong to another architecture");
            var slice = StackedInit.Slice(tensor, slot, model.Models);
            if (array.Length != slice.numel())
                throw new InputException($"{path}: tensor '{name}' has {array.Length} values, the model needs {slice.numel()}");
            slice.copy_(torch.tensor(array.ToFloat32(), slice.shape).to(tensor.dtype));
        }
    }
}
