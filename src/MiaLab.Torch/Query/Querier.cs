using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Query;

/// <summary>Runs every sample through the K models under each query augmentation and returns,
/// per model, float32 logits [N, A, C] — the run directory's logits/model-XXXX.npy.</summary>
public static class Querier
{
    public static float[][] Query(StackedModel model, Dataset data, IReadOnlyList<string> augmentations,
        int batchSize = 1000, Action<int, int>? onProgress = null)
    {
        foreach (var a in augmentations)
            if (!ConfigFile.QueryAugmentations.Contains(a)) throw new InputException($"unknown query augmentation '{a}' (known: {string.Join(", ", ConfigFile.QueryAugmentations)})");
        if (!data.IsImage && augmentations.Any(a => a != "identity"))
            throw new InputException("query augmentations other than identity need image data");
        int k = model.Models, n = data.Count, c = model.Classes, aug = augmentations.Count;
        var outputs = Enumerable.Range(0, k).Select(_ => new float[(long)n * aug * c]).ToArray();
        EvalBatches.ForEach(model, data, batchSize, (start, b, x) =>
        {
            for (int a = 0; a < aug; a++)
            {
                var view = augmentations[a] == "hflip" ? x.flip(-1) : x;
                long[] expanded = [k, .. x.shape[1..]];
                var logits = model.forward(view.expand(expanded)).contiguous().data<float>().ToArray();
                for (int m = 0; m < k; m++)
                    for (int i = 0; i < b; i++)
                        Array.Copy(logits, ((long)m * b + i) * c, outputs[m], ((long)(start + i) * aug + a) * c, c);
            }
            onProgress?.Invoke(start + b, n);
        });
        return outputs;
    }
}
