using System.Diagnostics;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Randomness;
using MiaLab.Core.Runs;
using MiaLab.Torch.Defenses;
using MiaLab.Torch.Models;
using MiaLab.Torch.Training;

namespace MiaLab.Torch.Pipeline;

/// <summary>
/// Train stage: trains every model of the run (or of one shard) that has no valid weights, in
/// groups of models_per_pass batched models, and commits each model by writing its weights, then
/// its record (no logits yet: that is the query stage's). The record is written last, so a crash at
/// any moment loses at most the group in progress. An external target (model 0 of a black-box
/// audit) is not trained: its ONNX file is recorded as its weights. While a group trains, its
/// progress is written to progress/model-XXXX.json for `mialab train --status`.
/// </summary>
public static class TrainStage
{
    public static IReadOnlyList<int> Run(RunDirectory run, RunConfig config, RunData data,
        int shardIndex = 0, int shardCount = 1, Action<StageProgress>? progress = null, CancellationToken cancel = default,
        Func<RunConfig, RunData, IReadOnlyList<int>, TrainingHooks?>? hooks = null)
    {
        TorchDevice.Use(config.Device);
        var mine = Shard(config, shardIndex, shardCount);
        var keep = run.ReadKeep();
        run.Records.RemoveStaleTemporaryFiles();
        if (run.Target is not null && mine.Contains(ExternalTarget.Model)) RegisterExternal(run, keep[ExternalTarget.Model]);
        var trainable = run.Target is null ? mine : mine.Where(m => m != ExternalTarget.Model).ToList();
        int done = mine.Count(run.Records.IsTrained);
        progress?.Invoke(new StageProgress("train", done, mine.Count));
        // Groups are fixed by position, never formed from whatever is pending: a model trained
        // beside others differs from one trained alone by float rounding, so a resumed run must
        // retrain a broken group whole to reproduce the uninterrupted run bit for bit.
        foreach (var group in trainable.Chunk(Math.Max(1, config.Training.ModelsPerPass)))
        {
            var incomplete = group.Where(m => !run.Records.IsTrained(m)).ToHashSet();
            if (incomplete.Count == 0) continue;
            var clock = Stopwatch.StartNew();
            var reporter = new ProgressFiles(run.Paths, incomplete);
            var trainSets = group.Select(m => TrainingList(config, keep[m], m)).ToArray();
            using var model = ModelZoo.Create(config.Model, data.Samples.SampleShape, data.Samples.NumClasses,
                group.Select(m => Seeds.Derive(config.Seed, "init", m)).ToArray(), data.Samples.TargetShape);
            var trainingHooks = hooks?.Invoke(config, data, group) ?? DefenseHooks.For(config, data.Samples, trainSets, group, ModelZoo.CosineScale(model) ?? 1.0);
            try
            {
                StackedTrainer.Train(model, config.Training, data.Samples, trainSets,
                    group.Select(m => Seeds.Derive(config.Seed, "order", m)).ToArray(), Seeds.Derive(config.Seed, "dropout", group[0]),
                    (step, steps) =>
                    {
                        reporter.Report(step, steps);
                        progress?.Invoke(new StageProgress("train", done + incomplete.Count * (double)step / steps, mine.Count));
                    },
                    cancel, trainingHooks, group.Select(m => $"model {m}").ToArray());
            }
            finally
            {
                (trainingHooks.Gradients as IDisposable)?.Dispose();
            }
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
                TrainingProgress.Remove(run.Paths, m);
                done++;
            }
            progress?.Invoke(new StageProgress("train", done, mine.Count));
        }
        return mine;
    }

    /// <summary>Records the external target's ONNX file as model 0's weights (its record has no
    /// accuracies until the query stage); refused when the file changed since the plan.</summary>
    private static void RegisterExternal(RunDirectory run, bool[] members)
    {
        if (run.Records.IsTrained(ExternalTarget.Model)) return;
        var target = run.Target!;
        target.CheckUnchanged();
        run.Records.Write(new ModelRecord(ExternalTarget.Model, members.Count(k => k), target.OnnxSha256, double.NaN, double.NaN, 0));
    }

    /// <summary>Writes the progress of the models of a group at its first step, its last, and at most
    /// every 5 s between (each write is flushed to disk: kept rare, it costs the training nothing).</summary>
    private sealed class ProgressFiles(RunLayout paths, IReadOnlyCollection<int> models)
    {
        private readonly Stopwatch _since = Stopwatch.StartNew();
        private const double IntervalSeconds = 5;
        private bool _first = true;

        public void Report(int step, int steps)
        {
            if (!_first && _since.Elapsed.TotalSeconds < IntervalSeconds && step < steps) return;
            _first = false;
            _since.Restart();
            foreach (int m in models)
                new TrainingProgress(m, step, steps, Environment.MachineName, Environment.ProcessId, DateTime.UtcNow).Write(paths);
        }
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
