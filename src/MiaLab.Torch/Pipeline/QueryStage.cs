using System.Diagnostics;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Models;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Torch.Models;

namespace MiaLab.Torch.Pipeline;

/// <summary>What the query stage found: the models it queried, and those it could not because
/// they have no valid weights (never trained, or their weights file was damaged).</summary>
public sealed record QueryStageResult(IReadOnlyList<int> Queried, IReadOnlyList<int> Untrained);

/// <summary>
/// Query stage: for every trained model of the run (or of one shard) whose logits are missing or do
/// not match its record, rebuilds the model from its weights file (the train stage's output),
/// queries it under the configured augmentations (<see cref="ModelQuery"/>), writes
/// logits/model-XXXX.npy and completes its record with the logits' SHA-256 and the accuracies.
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
                ?? TorchModel.Load(config.Model, data.Samples.SampleShape, data.Samples.NumClasses, run.Paths.Weights(m));
            var logits = ModelQuery.Query(model, data.Samples, augmentations,
                (d, t) => progress?.Invoke(new StageProgress("query", k + (double)d / t, missing.Count)));
            CheckFinite(logits, m);
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

    private static void CheckFinite(float[] logits, int m)
    {
        int bad = Array.FindIndex(logits, v => !float.IsFinite(v));
        if (bad >= 0)
            throw new InputException($"model {m} gives non-finite logits ({logits[bad]}); its training diverged — lower training.learning_rate and train again");
    }
}
