using System.Diagnostics;
using System.Text.Json;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Models;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Randomness;
using MiaLab.Onnx;
using MiaLab.Torch.Mint;
using MiaLab.Torch.Models;
using MiaLab.Torch.Training;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>What backbone/backbone.json records: the section it was made from, its data, the SHA-256 of the
/// file its parameters come from (the weights, or the ONNX file) and how well it learned its own classes.
/// Written after the weights, so it marks them complete.</summary>
public sealed record BackboneRecord(PowerLawBackboneConfig Config, string DataSha256, string WeightsSha256, string Point, int Features,
    int Samples, double? TrainAccuracy, double? HeldOutAccuracy, double Seconds, bool Pretrained);

/// <summary>The frozen backbone, ready to extract features, and what is known about it.</summary>
public sealed record Backbone(IModel Model, BackboneRecord Record) : IDisposable
{
    public string Sha256 => Record.WeightsSha256;

    public void Dispose() => Model.Dispose();
}

/// <summary>
/// The backbone of the transfer setting: a zoo model trained once per study with the
/// <see cref="StackedTrainer"/> (K = 1) on the backbone's classes and then frozen, or a weights file
/// given in the config, or an ONNX model (<see cref="OnnxModel"/>, never trained here). It is used only
/// through <see cref="IModel"/>: the features of a sample are
/// the activations at one capture point (conv maps averaged per channel), so any model behind that
/// interface can serve.
/// </summary>
public static class PowerLawBackbone
{
    public const string Folder = "backbone";
    public const string WeightsFile = "weights.npz";
    public const string RecordFile = "backbone.json";

    /// <summary>The zoo architecture the section names.</summary>
    public static ModelConfig ModelOf(PowerLawBackboneConfig b) => new()
    {
        Kind = b.Kind,
        Channels = b.Channels,
        Hidden = b.Hidden,
        Dropout = 0,
    };

    /// <summary>The pretraining recipe: SGD with momentum 0.9 and a cosine schedule, as the zoo's other models.</summary>
    public static TrainingConfig TrainingOf(PowerLawBackboneConfig b) => new()
    {
        Optimizer = "sgd",
        LearningRate = b.LearningRate,
        Momentum = 0.9,
        Epochs = b.Epochs,
        BatchSize = b.BatchSize,
        Schedule = "cosine",
    };

    /// <summary>How many features the backbone's point gives, found with an untrained copy of the
    /// architecture (or the given weights) on one sample, and checked against the head: a wrong point
    /// or a head built for another size is refused before anything is trained.</summary>
    public static int CheckFeatures(PowerLawConfig p, TransferData data, string? device = null)
    {
        using IModel model = p.Backbone.Onnx is not null ? LoadOnnx(p.Backbone, data, device)
            : p.Backbone.Weights is { } weights ? Load(p.Backbone, data, weights)
            : TorchModel.Own(ModelZoo.Create(ModelOf(p.Backbone), data.All.SampleShape, p.Backbone.Classes.Length, [0]), data.All.SampleShape);
        int width = FeatureWidth(model, data.All.Subset([0]), p.Backbone.Point);
        if (p.HeadInputs != 0 && p.HeadInputs != width)
            throw new InputException($"the backbone's point '{p.Backbone.Point}' gives {width} features but the head takes {p.HeadInputs} " +
                "(power_law.head_inputs); choose another point or backbone, or set head_inputs to 0 to follow the backbone");
        return width;
    }

    /// <summary>The feature width at <paramref name="point"/> (an unknown point lists the model's points).</summary>
    public static int FeatureWidth(IModel model, Core.Data.Dataset sample, string point) =>
        ActivationCapture.Capture(model, sample, [point], MintReduction.Mean).Layout.Width;

    /// <summary>The study's backbone: reused from &lt;folder&gt;/backbone when its record matches the section
    /// and the data, else pretrained there (or loaded from the configured weights file).</summary>
    public static Backbone Prepare(PowerLawConfig p, TransferData data, int seed, string studyFolder, Action<StageProgress>? progress,
        Action<string>? log, CancellationToken cancel, string? device = null)
    {
        var b = p.Backbone;
        string folder = Path.Combine(studyFolder, Folder);
        string recordPath = Path.Combine(folder, RecordFile), weightsPath = Path.Combine(folder, WeightsFile);
        if (b.Onnx is not null || b.Weights is not null)
        {
            IModel model = b.Onnx is not null ? LoadOnnx(b, data, device) : Load(b, data, b.Weights!);
            var record = new BackboneRecord(b, data.Sha256, model.Sha256, b.Point, FeatureWidth(model, data.All.Subset([0]), b.Point),
                0, null, null, 0, Pretrained: false);
            StudyRecord.Write(recordPath, record);
            return new Backbone(model, record);
        }
        if (StudyRecord.Read<BackboneRecord>(recordPath) is { } existing && FileHash.Sha256OrNull(weightsPath) == existing.WeightsSha256)
        {
            if (JsonSerializer.Serialize(existing.Config, StudyRecord.Json) != JsonSerializer.Serialize(b, StudyRecord.Json) || existing.DataSha256 != data.Sha256)
                throw new InputException($"{folder} holds a backbone made with another power_law.backbone section or other data; use a new --run folder");
            log?.Invoke($"Reusing the backbone in {folder}");
            return new Backbone(TorchModel.Load(ModelOf(b), data.All.SampleShape, b.Classes.Length, weightsPath), existing);
        }
        return Pretrain(b, data, seed, folder, progress, log, cancel);
    }

    private static Backbone Pretrain(PowerLawBackboneConfig b, TransferData data, int seed, string folder,
        Action<StageProgress>? progress, Action<string>? log, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var (train, heldOut) = data.Pretraining(b, seed);
        log?.Invoke($"Pretraining the backbone ({b.Kind}) on {train.Count} samples of classes {string.Join(", ", b.Classes)}");
        string weightsPath = Path.Combine(folder, WeightsFile);
        using (var stack = ModelZoo.Create(ModelOf(b), train.SampleShape, train.NumClasses, [Seeds.Derive(seed, "backbone-init", 0)]))
        {
            StackedTrainer.Train(stack, TrainingOf(b), train, [Enumerable.Range(0, train.Count).ToArray()],
                [Seeds.Derive(seed, "backbone-order", 0)], Seeds.Derive(seed, "backbone-dropout", 0),
                (step, steps) => progress?.Invoke(new StageProgress("pretrain backbone", step, steps)), cancel, modelNames: ["the backbone"]);
            ModelWeights.Save(stack, 0, weightsPath);
        }
        var model = TorchModel.Load(ModelOf(b), train.SampleShape, train.NumClasses, weightsPath);
        var record = new BackboneRecord(b, data.Sha256, model.Sha256, b.Point, FeatureWidth(model, train.Subset([0]), b.Point),
            train.Count, Accuracy(model, train), heldOut.Count > 0 ? Accuracy(model, heldOut.Subset(Enumerable.Range(0, Math.Min(heldOut.Count, HeldOutChecked)).ToArray())) : null,
            clock.Elapsed.TotalSeconds, Pretrained: true);
        // The record is written last: weights without it are pretrained again.
        StudyRecord.Write(Path.Combine(folder, RecordFile), record);
        return new Backbone(model, record);
    }

    /// <summary>How many of the held-out pretraining-class samples the backbone's accuracy is measured on.</summary>
    private const int HeldOutChecked = 2000;

    private static TorchModel Load(PowerLawBackboneConfig b, TransferData data, string weights) =>
        TorchModel.Load(ModelOf(b), data.All.SampleShape, b.Classes.Length, weights);

    /// <summary>The ONNX backbone, fed as the section says; its Sha256 is the file's, so a changed file is a new backbone.</summary>
    private static OnnxModel LoadOnnx(PowerLawBackboneConfig b, TransferData data, string? device) =>
        OnnxModel.Load(b, data.All.SampleShape, b.Classes.Length, "power_law.backbone", device);

    private static double Accuracy(IModel model, Core.Data.Dataset data)
    {
        var logits = ModelQuery.Query(model, data, [ModelQuery.Identity]);
        var (accuracy, _) = ModelAccuracy.Of(logits, data.Labels, Enumerable.Repeat(true, data.Count).ToArray(), null, 1, data.NumClasses);
        return accuracy;
    }
}
