using System.Diagnostics;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Torch.Models;
using MiaLab.Torch.Query;
using MiaLab.Torch.Training;

namespace MiaLab.Torch.Pipeline;

/// <summary>
/// Train stage: trains every model of the run (or of one shard) that is not complete, in
/// groups of models_per_pass batched models, queries each group right away, and commits each
/// model by writing its weights, then its logits, then its record — the record is written
/// last, so a crash at any moment loses at most the group in progress.
/// </summary>
public static class TrainStage
{
    public static IReadOnlyList<ModelRecord> Run(RunDirectory run, RunConfig config, RunData data,
        int shardIndex = 0, int shardCount = 1, Action<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        var mine = Enumerable.Range(0, config.Plan.Models).Where(m => m % shardCount == shardIndex).ToList();
        var pending = mine.Where(m => !run.IsQueried(m)).ToList();
        var keep = run.ReadKeep();
        var augmentations = QueryAugmentations(config, data);
        int done = mine.Count - pending.Count;
        progress?.Invoke(new StageProgress("train", done, mine.Count));
        foreach (var group in pending.Chunk(Math.Max(1, config.Training.ModelsPerPass)))
        {
            var clock = Stopwatch.StartNew();
            var trainSets = group.Select(m => Indices(keep[m])).ToArray();
            using var model = ModelZoo.Create(config.Model, data.Samples.SampleShape, data.Samples.NumClasses,
                group.Select(m => Seeds.Derive(config.Seed, "init", m)).ToArray());
            StackedTrainer.Train(model, config.Training, data.Samples, trainSets,
                group.Select(m => Seeds.Derive(config.Seed, "order", m)).ToArray(), Seeds.Derive(config.Seed, "dropout", group[0]),
                (step, steps) => progress?.Invoke(new StageProgress("train", done + group.Length * (double)step / steps, mine.Count)),
                cancel);
            double trainSeconds = clock.Elapsed.TotalSeconds / group.Length;
            clock.Restart();
            var logits = Querier.Query(model, data.Samples, augmentations);
            double querySeconds = clock.Elapsed.TotalSeconds / group.Length;
            for (int slot = 0; slot < group.Length; slot++)
            {
                int m = group[slot];
                ModelWeights.Save(model, slot, run.WeightsPath(m));
                Commit(run, m, keep[m], data, logits[slot], augmentations.Count, trainSeconds, querySeconds);
                done++;
            }
            progress?.Invoke(new StageProgress("train", done, mine.Count));
        }
        return mine.Select(m => run.ReadModelRecord(m)!).ToList();
    }

    /// <summary>Query stage on its own: recomputes logits for trained models whose logits are
    /// missing or do not match their record (e.g. deleted or corrupted).</summary>
    public static int QueryMissing(RunDirectory run, RunConfig config, RunData data, Action<StageProgress>? progress = null)
    {
        var keep = run.ReadKeep();
        var augmentations = QueryAugmentations(config, data);
        var missing = Enumerable.Range(0, config.Plan.Models).Where(m => run.IsTrained(m) && !run.IsQueried(m)).ToList();
        int done = 0;
        foreach (var group in missing.Chunk(Math.Max(1, config.Training.ModelsPerPass)))
        {
            using var model = ModelZoo.Create(config.Model, data.Samples.SampleShape, data.Samples.NumClasses, new int[group.Length]);
            for (int slot = 0; slot < group.Length; slot++) ModelWeights.Load(model, slot, run.WeightsPath(group[slot]));
            var clock = Stopwatch.StartNew();
            var logits = Querier.Query(model, data.Samples, augmentations);
            double querySeconds = clock.Elapsed.TotalSeconds / group.Length;
            for (int slot = 0; slot < group.Length; slot++)
            {
                var old = run.ReadModelRecord(group[slot])!;
                Commit(run, group[slot], keep[group[slot]], data, logits[slot], augmentations.Count, old.TrainSeconds, querySeconds);
            }
            done += group.Length;
            progress?.Invoke(new StageProgress("query", done, missing.Count));
        }
        return missing.Count;
    }

    /// <summary>Images are queried as configured; vectors have no flip, so identity only.</summary>
    public static IReadOnlyList<string> QueryAugmentations(RunConfig config, RunData data) =>
        data.Samples.IsImage ? config.Query.Augmentations : ["identity"];

    private static ModelRecord Commit(RunDirectory run, int m, bool[] keep, RunData data, float[] logits, int augmentations,
        double trainSeconds, double querySeconds)
    {
        int classes = data.Samples.NumClasses;
        Npy.Write(run.LogitsPath(m), new NpyArray(logits, data.Samples.Count, augmentations, classes));
        var (trainAccuracy, testAccuracy) = ModelAccuracy.Of(logits, data.Samples.Labels, keep, data.HoldoutMask, augmentations, classes);
        var record = new ModelRecord(m, keep.Count(k => k), RunDirectory.FileSha256(run.WeightsPath(m)),
            trainAccuracy, testAccuracy, trainSeconds, RunDirectory.FileSha256(run.LogitsPath(m)), querySeconds);
        run.WriteModelRecord(record);
        return record;
    }

    private static int[] Indices(bool[] mask) => Enumerable.Range(0, mask.Length).Where(i => mask[i]).ToArray();
}
