using MiaLab.Core.Randomness;
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
        var keep = run.ReadKeep();
        var augmentations = QueryAugmentations(config, data);
        run.RemoveStaleTemporaryFiles();
        int done = mine.Count(run.IsQueried);
        progress?.Invoke(new StageProgress("train", done, mine.Count));
        // Groups are fixed by position, never formed from whatever is pending: a model trained
        // beside others differs from one trained alone by float rounding, so a resumed run must
        // retrain a broken group whole to reproduce the uninterrupted run bit for bit.
        foreach (var group in mine.Chunk(Math.Max(1, config.Training.ModelsPerPass)))
        {
            var incomplete = group.Where(m => !run.IsQueried(m)).ToHashSet();
            if (incomplete.Count == 0) continue;
            var clock = Stopwatch.StartNew();
            var trainSets = group.Select(m => TrainingList(config, keep[m], m)).ToArray();
            using var model = ModelZoo.Create(config.Model, data.Samples.SampleShape, data.Samples.NumClasses,
                group.Select(m => Seeds.Derive(config.Seed, "init", m)).ToArray());
            StackedTrainer.Train(model, config.Training, data.Samples, trainSets,
                group.Select(m => Seeds.Derive(config.Seed, "order", m)).ToArray(), Seeds.Derive(config.Seed, "dropout", group[0]),
                (step, steps) => progress?.Invoke(new StageProgress("train", done + incomplete.Count * (double)step / steps, mine.Count)),
                cancel);
            double trainSeconds = clock.Elapsed.TotalSeconds / group.Length;
            clock.Restart();
            var logits = Querier.Query(model, data.Samples, augmentations);
            double querySeconds = clock.Elapsed.TotalSeconds / group.Length;
            for (int slot = 0; slot < group.Length; slot++)
            {
                int m = group[slot];
                if (!incomplete.Contains(m)) continue; // complete and verified: its files stay as they are
                if (Repeats(config.Training))
                    Npy.Write(RepeatedPath(run, m), new NpyArray(RepeatedMask(config, keep[m], m), keep[m].Length));
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
        // The same fixed groups as training, so a recomputed logits file matches the original bit for bit.
        foreach (var group in missing.GroupBy(m => m / Math.Max(1, config.Training.ModelsPerPass)).Select(g => g.ToArray()))
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

    // ───────────────────────── sample repetition ─────────────────────────

    /// <summary>models/model-XXXX.repeated.npy: bool [N], the samples model m saw repeat_times times
    /// per epoch (written only when the config repeats samples).</summary>
    public static string RepeatedPath(RunDirectory run, int m) =>
        Path.ChangeExtension(run.WeightsPath(m), null) + ".repeated.npy";

    private static bool Repeats(TrainingConfig t) => t.RepeatFraction > 0 && t.RepeatTimes > 1;

    /// <summary>The samples of model m's training set that it sees repeat_times times per epoch: a
    /// uniformly random round(repeat_fraction · |set|) of them, drawn from Seeds.Derive(seed, "repeat", m).
    /// A mask over all N samples; all false when the config does not repeat.</summary>
    public static bool[] RepeatedMask(RunConfig config, bool[] keep, int m)
    {
        var mask = new bool[keep.Length];
        if (!Repeats(config.Training)) return mask;
        var members = Indices(keep);
        int count = (int)Math.Round(config.Training.RepeatFraction * members.Length, MidpointRounding.AwayFromZero);
        var chosen = new StableRandom((ulong)Seeds.Derive(config.Seed, "repeat", m)).Subset(members.Length, count);
        for (int j = 0; j < members.Length; j++) if (chosen[j]) mask[members[j]] = true;
        return mask;
    }

    /// <summary>Model m's training list for one epoch: every sample it trains on once, and each
    /// repeated sample (<see cref="RepeatedMask"/>) repeat_times − 1 times more. The trainer
    /// shuffles the list every epoch, so the copies spread over the epoch's batches.</summary>
    public static int[] TrainingList(RunConfig config, bool[] keep, int m)
    {
        var members = Indices(keep);
        if (!Repeats(config.Training)) return members;
        var repeated = RepeatedMask(config, keep, m);
        var list = new List<int>(members);
        for (int copy = 1; copy < config.Training.RepeatTimes; copy++)
            list.AddRange(members.Where(i => repeated[i]));
        return list.ToArray();
    }

    private static int[] Indices(bool[] mask) => Enumerable.Range(0, mask.Length).Where(i => mask[i]).ToArray();
}
