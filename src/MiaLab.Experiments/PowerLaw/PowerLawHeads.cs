using System.Diagnostics;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Randomness;
using MiaLab.Torch.Models;
using MiaLab.Torch.Training;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>What heads.json records once every head of a setting is trained and queried: the inputs
/// (config, features, plan) and the hash of logits.npy, so a rerun knows the logits are complete and current.</summary>
public sealed record HeadsRecord(string ConfigSha256, string FeaturesSha256, string KeepSha256, string LogitsSha256,
    int Models, int Samples, int Classes, int Passes, double TrainSeconds, double QuerySeconds);

/// <summary>
/// The heads of one setting: plan.models copies of the config's model (an MLP on the features;
/// hidden [] is a linear head), model m on the samples keep[m] marks, trained by the
/// <see cref="StackedTrainer"/> in stacks of training.models_per_pass (all of them in one pass by
/// default) and queried once. Model m's initial weights and batch order come from
/// Seeds.Derive(seed, "init"/"order", m), as in the train stage, so a head trains the same in any
/// stack. The logits go to logits.npy (float32 [M, N, 1, C]); heads.json is written after it.
/// </summary>
public static class PowerLawHeads
{
    public const string KeepFile = "keep.npy";
    public const string LabelsFile = "labels.npy";
    public const string LogitsFile = "logits.npy";
    public const string RecordFile = "heads.json";

    /// <summary>The logits [N × 1 × C] of every head, trained now or read back from a complete earlier run.</summary>
    public static (float[][] Logits, HeadsRecord Record, bool Reused) Prepare(string runDirectory, RunConfig config, Dataset features,
        string featuresSha256, bool[][] keep, Action<StageProgress>? progress, Action<string>? log, CancellationToken cancel)
    {
        string keepPath = Path.Combine(runDirectory, KeepFile), logitsPath = Path.Combine(runDirectory, LogitsFile);
        string recordPath = Path.Combine(runDirectory, RecordFile);
        int m = keep.Length, n = features.Count, c = features.NumClasses;
        string configSha = ConfigFile.Sha256(config);
        if (StudyRecord.Read<HeadsRecord>(recordPath) is { } r && r.ConfigSha256 == configSha && r.FeaturesSha256 == featuresSha256
            && FileHash.Sha256OrNull(keepPath) == r.KeepSha256 && FileHash.Sha256OrNull(logitsPath) == r.LogitsSha256)
        {
            var flat = Npy.Read(logitsPath).Get<float>();
            return (Enumerable.Range(0, m).Select(k => flat.AsSpan(k * n * c, n * c).ToArray()).ToArray(), r, true);
        }

        Npy.Write(keepPath, new NpyArray(keep.SelectMany(row => row).ToArray(), m, n));
        Npy.Write(Path.Combine(runDirectory, LabelsFile), new NpyArray(features.Labels, n));
        var clock = Stopwatch.StartNew();
        var (logits, trainSeconds, passes) = TrainAndQuery(config, features, keep,
            (done, total) => progress?.Invoke(new StageProgress("train heads", done, total)), cancel, log);
        double querySeconds = clock.Elapsed.TotalSeconds - trainSeconds;
        var all = new float[(long)m * n * c];
        for (int k = 0; k < m; k++) logits[k].CopyTo(all, (long)k * n * c);
        Npy.Write(logitsPath, new NpyArray(all, m, n, 1, c));
        var record = new HeadsRecord(configSha, featuresSha256, FileHash.Sha256(keepPath), FileHash.Sha256(logitsPath), m, n, c, passes,
            trainSeconds, querySeconds);
        StudyRecord.Write(recordPath, record);
        return (logits, record, false);
    }

    /// <summary>Trains the heads in stacks of training.models_per_pass and queries each stack (identity
    /// only: features have no flip). Returns per head its logits [N × 1 × C], the seconds spent
    /// training (queries excluded) and the number of passes.</summary>
    /// <param name="onStep">(heads trained so far, plus the running stack's share; all heads).</param>
    public static (float[][] Logits, double TrainSeconds, int Passes) TrainAndQuery(RunConfig config, Dataset features, bool[][] keep,
        Action<double, int>? onStep = null, CancellationToken cancel = default, Action<string>? log = null)
    {
        int models = keep.Length;
        var logits = new float[models][];
        var training = Stopwatch.StartNew();
        training.Stop();
        var groups = Enumerable.Range(0, models).Chunk(Math.Max(1, config.Training.ModelsPerPass)).ToList();
        int done = 0;
        foreach (var group in groups)
        {
            cancel.ThrowIfCancellationRequested();
            var sets = group.Select(k => Enumerable.Range(0, features.Count).Where(i => keep[k][i]).ToArray()).ToArray();
            if (sets.FirstOrDefault(s => s.Length == 0) is not null)
                throw new InputException($"head {group[Array.FindIndex(sets, s => s.Length == 0)]} has no training sample; every model of the plan needs one");
            if (Uneven(config.Training, sets) is { } warning) log?.Invoke(warning);
            using var stack = ModelZoo.Create(config.Model, features.SampleShape, features.NumClasses,
                group.Select(k => Seeds.Derive(config.Seed, "init", k)).ToArray());
            training.Start();
            StackedTrainer.Train(stack, config.Training, features, sets, group.Select(k => Seeds.Derive(config.Seed, "order", k)).ToArray(),
                Seeds.Derive(config.Seed, "dropout", group[0]), (step, steps) => onStep?.Invoke(done + group.Length * (double)step / steps, models),
                cancel, modelNames: group.Select(k => $"head {k}").ToArray());
            training.Stop();
            var outputs = TorchModel.QueryEach(stack, features, [ModelQuery.Identity]);
            for (int slot = 0; slot < group.Length; slot++)
            {
                if (Array.FindIndex(outputs[slot], v => !float.IsFinite(v)) >= 0)
                    throw new InputException($"head {group[slot]} gives non-finite logits; its training diverged — lower training.learning_rate");
                logits[group[slot]] = outputs[slot];
            }
            done += group.Length;
        }
        return (logits, training.Elapsed.TotalSeconds, groups.Count);
    }

    /// <summary>A warning when the heads of one stack have different numbers of batches per epoch under an
    /// optimizer whose zero-gradient step still moves the weights (Adam, momentum, weight decay): the trainer
    /// pads the shorter heads' epochs with such steps, so they train differently than they would alone.</summary>
    public static string? Uneven(TrainingConfig t, IReadOnlyList<int[]> sets)
    {
        bool stateful = t.Optimizer == "adam" || t.Momentum > 0 || t.WeightDecay > 0;
        int fewest = sets.Min(s => (s.Length + t.BatchSize - 1) / t.BatchSize), most = sets.Max(s => (s.Length + t.BatchSize - 1) / t.BatchSize);
        return stateful && fewest != most
            ? $"heads have {fewest} to {most} batches per epoch: with {t.Optimizer}, the padding steps of the shorter epochs move their weights, " +
              $"so the stack trains them differently from one at a time; set training.batch_size to at least {sets.Max(s => s.Length)} (full batch)"
            : null;
    }
}
