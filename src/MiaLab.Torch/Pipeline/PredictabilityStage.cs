using System.Diagnostics;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.IO;
using MiaLab.Core.Models;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Randomness;
using MiaLab.Core.Runs;
using MiaLab.Core.Translation;
using MiaLab.Torch.Models;
using MiaLab.Torch.Training;

namespace MiaLab.Torch.Pipeline;

/// <summary>
/// Predictability stage of an image-to-image run (ALGORITHMS.md §10): writes predictability.npy
/// (float64 [N], L_pred of each sample) and predictability.json, computed from the data alone, before
/// any model trains. The backbone is a model behind <see cref="IModel"/>: by default a zoo ResNet
/// trained here on Fashion-MNIST test images that are not in the run (the holdout's are left out),
/// cached in backbone/ and named in the manifest; or the one the caller gives (an ONNX file named in
/// task.predictability.backbone, opened by MiaLab.Onnx). A rerun with the same data, settings,
/// stages and backbone file reuses the file.
/// </summary>
public static class PredictabilityStage
{
    /// <param name="backbone">The backbone, with its stages and record; null = the zoo ResNet, trained or reused from
    /// <paramref name="backboneDirectory"/> (default the run's backbone/; a study shares one between its settings).
    /// The caller keeps ownership of a backbone it gives.</param>
    public static double[] Run(RunDirectory run, RunConfig config, RunData data, PredictabilityBackbone? backbone = null,
        Action<StageProgress>? progress = null, Action<string>? log = null, CancellationToken cancel = default, string? backboneDirectory = null)
    {
        var task = config.Task ?? throw new InputException("the predictability error is for image-to-image runs (a task section)");
        var p = task.Predictability;
        if (backbone is null && p.Backbone is not null)
            throw new ArgumentException("the config names an ONNX backbone (task.predictability.backbone): open it with MiaLab.Onnx's OnnxPredictabilityBackbone and pass it", nameof(backbone));
        var options = new PredictabilityOptions(TranslationData.Grid(task, data.Samples.TargetShape![1]), p.FitFraction, p.Ridge, config.Seed);
        string datasetSha = run.Dataset?.Sha256 ?? data.Samples.ComputeSha256();
        bool owned = backbone is null;
        backbone ??= LoadOrTrainBackbone(backboneDirectory ?? run.Paths.BackboneDirectory, config, progress, log, cancel);
        try
        {
            var model = backbone.Model;
            var stages = backbone.Stages ?? PredictabilityScores.FeatureStages(model);
            var existing = PredictabilityRecord.TryRead<PredictabilityRecord>(run.Paths.PredictabilityRecord);
            // The backbone's file hash is in the check, so a replaced weights or ONNX file computes L_pred again.
            if (existing is not null && existing.Grid == options.Grid && existing.FitFraction == options.FitFraction && existing.Ridge == options.Ridge
                && existing.Seed == options.Seed && existing.DatasetSha256 == datasetSha && existing.Backbone.WeightsSha256 == backbone.Record.WeightsSha256
                && existing.Stages.SequenceEqual(stages) && FileHash.Sha256OrNull(run.Paths.Predictability) == existing.ScoresSha256)
                return Npy.Read(run.Paths.Predictability).ToFloat64();

            var clock = Stopwatch.StartNew();
            var scores = PredictabilityScores.Compute(model, data.Samples, options, progress, cancel, stages);
            var probe = model.Run(new float[model.InputShape.Aggregate(1, (a, d) => a * d)], 1, stages);
            Npy.Write(run.Paths.Predictability, new NpyArray(scores, scores.Length));
            new PredictabilityRecord(options.Grid, options.FitFraction, options.Ridge, options.Seed, stages,
                stages.Sum(s => probe.Activations[s].Shape[1]), datasetSha, backbone.Record, FileHash.Sha256(run.Paths.Predictability),
                clock.Elapsed.TotalSeconds).Write(run.Paths.PredictabilityRecord);
            run.Records.RefreshManifest();
            return scores;
        }
        finally
        {
            if (owned) backbone.Dispose();
        }
    }

    /// <summary>How the backbone trains: Adam at 0.003 with cosine decay, batches of 64 (a few epochs suffice for generic features).</summary>
    public static TrainingConfig BackboneTraining(PredictabilityConfig p) =>
        new() { Optimizer = "adam", LearningRate = 0.003, Epochs = p.BackboneEpochs, BatchSize = 64, Schedule = "cosine", ModelsPerPass = 1 };

    /// <summary>The backbone's architecture: a zoo ResNet (stem and one block per stage) on 1×28×28 images.</summary>
    public static ModelConfig BackboneModel(PredictabilityConfig p) => new() { Kind = "resnet", Channels = p.BackboneChannels, BlocksPerStage = 1 };

    private static PredictabilityBackbone LoadOrTrainBackbone(string directory, RunConfig config, Action<StageProgress>? progress,
        Action<string>? log, CancellationToken cancel)
    {
        var p = config.Task!.Predictability;
        var modelConfig = BackboneModel(p);
        string weights = Path.Combine(directory, "backbone.npz"), recordPath = Path.Combine(directory, "backbone.json");
        var (images, description) = BackboneImages(config, log, progress, cancel);
        string architecture = $"resnet [{string.Join(", ", p.BackboneChannels)}], 1 block per stage, 1×28×28 inputs";
        var record = PredictabilityRecord.TryRead<BackboneRecord>(recordPath);
        if (record is not null && record.Architecture == architecture && record.TrainingData == description && record.Epochs == p.BackboneEpochs
            && record.Seed == config.Seed
            && FileHash.Sha256OrNull(weights) == record.WeightsSha256)
            return new PredictabilityBackbone(TorchModel.Load(modelConfig, [1, 28, 28], 10, weights), null, record);

        var clock = Stopwatch.StartNew();
        var training = BackboneTraining(p);
        using (var model = ModelZoo.Create(modelConfig, [1, 28, 28], 10, [Seeds.Derive(config.Seed, "backbone-init", 0)]))
        {
            int[] all = Enumerable.Range(0, images.Count).ToArray();
            StackedTrainer.Train(model, training, images, [all], [Seeds.Derive(config.Seed, "backbone-order", 0)], Seeds.Derive(config.Seed, "backbone-dropout", 0),
                (s, total) => progress?.Invoke(new StageProgress("backbone", s, total)), cancel);
            Directory.CreateDirectory(directory);
            ModelWeights.Save(model, 0, weights);
        }
        var loaded = TorchModel.Load(modelConfig, [1, 28, 28], 10, weights);
        var logits = ModelQuery.Query(loaded, images, [ModelQuery.Identity]);
        double accuracy = ModelAccuracy.Of(logits, images.Labels, Enumerable.Repeat(true, images.Count).ToArray(), null, 1, 10).Train;
        record = new BackboneRecord(architecture, description, images.Count, p.BackboneEpochs, config.Seed, accuracy, FileHash.Sha256(weights), clock.Elapsed.TotalSeconds);
        PredictabilityRecord.Write(recordPath, record);
        return new PredictabilityBackbone(loaded, null, record);
    }

    /// <summary>The backbone's training images: Fashion-MNIST test images outside the run's holdout (the
    /// population comes from the training split, so none is a sample of the run), a seeded subset.</summary>
    public static (Dataset Images, string Description) BackboneImages(RunConfig config, Action<string>? log = null,
        Action<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        var p = config.Task!.Predictability;
        bool fashion = config.Task.Kind != "files" && config.Dataset.Source == "fashion-mnist";
        if (config.Task.Kind != "files" && !fashion)
            throw new InputException($"the predictability backbone trains on Fashion-MNIST images disjoint from the run; dataset.source {config.Dataset.Source} cannot promise that (use fashion-mnist, or task.kind files)");
        var (_, test) = FashionMnist.Load(fashion ? config.Dataset.Path : null, log, progress, cancel);
        var excluded = fashion ? DatasetLoader.FashionMnistHoldoutIndices(config.Dataset, config.Seed, test.Count) : new HashSet<int>();
        var free = Enumerable.Range(0, test.Count).Where(i => !excluded.Contains(i)).ToArray();
        if (free.Length < p.BackboneSamples)
            throw new InputException($"task.predictability.backbone_samples {p.BackboneSamples} is more than the {free.Length} Fashion-MNIST test images outside the run's holdout");
        var chosen = StableRandom.For(config.Seed, "backbone-data", 0).Permutation(free.Length)[..p.BackboneSamples].Select(k => free[k]).Order().ToArray();
        string description = fashion
            ? $"{p.BackboneSamples} Fashion-MNIST test images, none in this run (its population is from the training split; the {excluded.Count} holdout test images are left out)"
            : $"{p.BackboneSamples} Fashion-MNIST test images (the run's samples come from {config.Task.Inputs})";
        return (test.Subset(chosen), description);
    }
}
