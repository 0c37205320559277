using MiaLab.Core.Data;
using MiaLab.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Query;

/// <summary>Walks a dataset through a model in evaluation mode, without gradients, one batch
/// at a time: each batch arrives as x [1, B, *sample shape] (expand it over the K models),
/// inside its own dispose scope.</summary>
public static class EvalBatches
{
    public static void ForEach(StackedModel model, Dataset data, int batchSize, Action<int, int, Tensor> onBatch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int n = data.Count, f = data.FeatureLength;
        model.eval();
        using var noGrad = torch.no_grad();
        for (int start = 0; start < n; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            int b = Math.Min(batchSize, n - start);
            long[] shape = [1, b, .. data.SampleShape.Select(d => (long)d)];
            onBatch(start, b, torch.tensor(data.Features.AsSpan(start * f, b * f).ToArray(), shape));
        }
    }
}
