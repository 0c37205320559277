using System.Diagnostics;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Randomness;
using MiaLab.Core.Runs;
using MiaLab.Torch.Models;
using MiaLab.Torch.Training;

namespace MiaLab.Torch.Pipeline;

/// <summary>
/// Train stage: trains every model of the run (or of one shard) that has no valid weights, in
/// groups of models_per_pass batched models, and commits each model by writing its weights, then
/// its record (no logits yet: that is the query stage's). The record is written last, so a crash at
/// any moment loses at most the group in progress.
/// </summary>
public static class TrainStage
{
    public static IReadOnlyList<int> Run(RunDirectory run, RunConfig config, RunData data,
        int shardIndex = 0, int shardCount = 1, Action<StageProgress>? progress = null, CancellationToken cancel = default,
        Func<RunConfig, RunData, IReadOnlyList<int>, TrainingHooks?>? hooks = null)
    {
        var mine = Shard(config, shardIndex, shardCount);
        var keep = run.ReadKeep();
        run.Records.RemoveStaleTemporaryFiles();
        int done = mine.Count(run.Records.IsTrained);
        progress?.Invoke(new StageProgress("train", done, mine.Count));
        // Groups are fixed by position, never formed from whatever is pending: a model trained
        // beside others differs from one trained alone by float rounding, so a resumed run must
        // retrain a broken group whole to reproduce the uninterrupted run bit for bit.
        foreach (var group in mine.Chunk(Math.Max(1, config.Training.ModelsPerPass)))
        {
            var incomplete = group.Where(m => !run.Records.IsTrained(m)).ToHashSet();
            if (incomplete.Count == 0) continue;
            var clock = Stopwatch.StartNew();
            var trainSets = group.Select(m => TrainingList(config, keep[m], m)).ToArray();
            using var model = ModelZoo.Create(config.Model, data.Samples.SampleShape, data.Samples.NumClasses,
                group.Select(m => Seeds.Derive(config.Seed, "init", m)).ToArray(), data.Samples.TargetShape);
            StackedTrainer.Train(model, config.Training, data.Samples, trainSets,
                group.Select(m => Seeds.Derive(config.Seed, "order", m)).ToArray(), Seeds.Derive(config.Seed, "dropout", group[0]),
                (step, steps) => progress?.Invoke(new StageProgress("train", done + incomplete.Count * (double)step / steps, mine.Count)),
                cancel, hooks?.Invoke(config, data, group), group.Select(m => $"model {m}").ToArray());
            double trainSeconds = clock.Elapsed.TotalSeconds / group.Length;
            for (int slot = 0; slot < group.Length; slot++)
            {
                int m = group[slot];
                if (!incomplete.Contains(m)) continue; // complete and verified: its files stay as they are
                if (Repeats(config.Training))
                    Npy.Write(RepeatedPath(run, m), new NpyArray(RepeatedMask(config, keep[m], m), keep[m].Length));
                ModelWeights.Save(model, slot, run.Paths.Weights(m));
                run.Records.Write(new ModelRecord(m, keep[m].Count(k => k), FileHash.Sha256(run.Paths.Weights(m)),
                    double.NaN, double.NaN, trainSeconds));
                done++;
            }
            progress?.Invoke(new StageProgress("train", done, mine.Count));
        }
        return mine;
    }

    /// <summary>The models of shard i of n: every model k with k ≡ i (mod n).</summary>
    public static IReadOnlyList<int> Shard(RunConfig config, int shardIndex, int shardCount) =>
        Enumerable.Range(0, config.Plan.Models).Where(m => m % shardCount == shardIndex).ToList();

    // ───────────────────────── sample repetition ─────────────────────────

    /// <summary>models/model-XXXX.repeated.npy: bool [N], the samples model m saw repeat_times times
    /// per epoch (written only when the config repeats samples).</summary>
    public static string RepeatedPath(RunDirectory run, int m) =>
        Path.ChangeExtension(run.Paths.Weights(m), null) + ".repeated.npy";

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
