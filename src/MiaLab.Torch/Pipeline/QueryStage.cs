using System.Diagnostics;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Models;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Core.Translation;
using MiaLab.Torch.Models;

namespace MiaLab.Torch.Pipeline;

/// <summary>What the query stage found: the models it queried, and those it could not because
/// they have no valid weights (never trained, or their weights file was damaged).</summary>
public sealed record QueryStageResult(IReadOnlyList<int> Queried, IReadOnlyList<int> Untrained);

/// <summary>
/// Query stage: for every trained model of the run (or of one shard) whose logits are missing or do
/// not match its record, rebuilds the model from its weights file (the train stage's output),
/// queries it under the configured augmentations (<see cref="ModelQuery"/>), writes
/// logits/model-XXXX.npy and completes its record with the logits' SHA-256 and the accuracies. An
/// image-to-image model writes its reconstruction errors to recon/ instead.
/// <c>load</c> supplies the models MiaLab did not train (an external target's ONNX model): it
/// returns the model for an index, or null for MiaLab's own, rebuilt from its weights.
/// </summary>
public static class QueryStage
{
    public static QueryStageResult Run(RunDirectory run, RunConfig config, RunData data, int shardIndex = 0, int shardCount = 1,
        Action<StageProgress>? progress = null, CancellationToken cancel = default,
        Func<int, IModel?>? load = null)
    {
        TorchDevice.Use(config.Device);
        var mine = TrainStage.Shard(config, shardIndex, shardCount);
        var keep = run.ReadKeep();
        var augmentations = ModelQuery.For(data.Samples, config.Query.Augmentations);
        var untrained = mine.Where(m => !run.Records.IsTrained(m)).ToList();
        var missing = mine.Where(m => run.Records.StatusOf(m) == ModelStatus.Trained).ToList();
        progress?.Invoke(new StageProgress("query", 0, missing.Count));
        for (int k = 0; k < missing.Count; k++)
        {
            cancel.ThrowIfCancellationRequested();
            int m = missing[k];
            var clock = Stopwatch.StartNew();
            if (m == ExternalTarget.Model && run.Target is not null)
            {
                run.Target.CheckUnchanged();
                if (load is null) throw new InvalidOperationException("the run has an external target but no loader for it was given");
            }
            using var model = load?.Invoke(m)
                ?? TorchModel.Load(config.Model, data.Samples.SampleShape, data.Samples.NumClasses, run.Paths.Weights(m), data.Samples.TargetShape);
            var logits = ModelQuery.Query(model, data.Samples, augmentations,
                (d, t) => progress?.Invoke(new StageProgress("query", k + (double)d / t, missing.Count)));
            CheckFinite(logits, m);
            if (data.Samples.Targets is not null)
            {
                WriteReconstruction(run, data, m, keep[m], augmentations, logits, clock);
                progress?.Invoke(new StageProgress("query", k + 1, missing.Count));
                continue;
            }
            int classes = model.OutputShape[0];
            Npy.Write(run.Paths.Logits(m), new NpyArray(logits, data.Samples.Count, augmentations.Count, classes));
            var (trainAccuracy, testAccuracy) = ModelAccuracy.Of(logits, data.Samples.Labels, keep[m], data.HoldoutMask, augmentations.Count, classes);
            var record = run.Records.Read(m)!;
            run.Records.Write(record with
            {
                TrainAccuracy = trainAccuracy,
                TestAccuracy = testAccuracy,
                LogitsSha256 = FileHash.Sha256(run.Paths.Logits(m)),
                QuerySeconds = clock.Elapsed.TotalSeconds,
            });
            progress?.Invoke(new StageProgress("query", k + 1, missing.Count));
        }
        return new QueryStageResult(missing, untrained);
    }

    /// <summary>An image-to-image model's query: recon/model-XXXX.npy (float32 [N, A], L_rec of each
    /// sample and query), the gallery of a few samples' outputs for the report, then the record. The
    /// record's accuracies are NaN: an image-to-image model has none (its L1 is in the recon file).</summary>
    private static void WriteReconstruction(RunDirectory run, RunData data, int m, bool[] keep, IReadOnlyList<string> augmentations,
        float[] outputs, Stopwatch clock)
    {
        int a = augmentations.Count, t = data.Samples.TargetLength;
        var errors = ReconstructionError.All(outputs, data.Samples, augmentations);
        var identity = Enumerable.Range(0, data.Samples.Count).Select(i => (double)errors[i * a]).ToArray();
        double[]? predictability = File.Exists(run.Paths.Predictability) ? Npy.Read(run.Paths.Predictability).ToFloat64() : null;
        if (predictability is not null && predictability.Length != identity.Length) predictability = null;
        var chosen = Gallery.Select(identity, predictability, keep, data.HoldoutMask);
        var shown = new float[chosen.Length * t];
        for (int s = 0; s < chosen.Length; s++) Array.Copy(outputs, (long)chosen[s] * a * t, shown, (long)s * t, t);
        Directory.CreateDirectory(run.Paths.ReconDirectory);
        Npz.Write(run.Paths.ReconGallery(m), new Dictionary<string, NpyArray>
        {
            ["indices"] = new(chosen.Select(i => (long)i).ToArray(), chosen.Length),
            ["outputs"] = new(shown, [chosen.Length, .. data.Samples.TargetShape!]),
        });
        Npy.Write(run.Paths.Recon(m), new NpyArray(errors, data.Samples.Count, a));
        var record = run.Records.Read(m)!;
        run.Records.Write(record with
        {
            TrainAccuracy = double.NaN,
            TestAccuracy = double.NaN,
            LogitsSha256 = FileHash.Sha256(run.Paths.Recon(m)),
            QuerySeconds = clock.Elapsed.TotalSeconds,
        });
    }

    private static void CheckFinite(float[] logits, int m)
    {
        int bad = Array.FindIndex(logits, v => !float.IsFinite(v));
        if (bad >= 0)
            throw new InputException($"model {m} gives non-finite logits ({logits[bad]}); its training diverged — lower training.learning_rate and train again");
    }
}
