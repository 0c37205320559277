using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Evaluation;
using MiaLab.Core.IO;
using MiaLab.Core.Mint;
using MiaLab.Core.Models;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Torch.Models;

namespace MiaLab.Torch.Mint;

/// <summary>What <see cref="MintStage.Train"/> wrote.</summary>
public sealed record MintStageResult(MintResult Result, string DetectorPath, string MetricsPath, string? ActivationsPath, string UnusedSource);

/// <summary>
/// MINT over a run directory. <see cref="Train"/>: rebuilds model m from its weights, captures its
/// activations (activations/model-XXXX.npy + .json for the vanilla detector), runs the protocol
/// with D = keep[m] and E = the holdout (or the population samples m did not train on), and writes
/// the detector (mint/model-XXXX-&lt;detector&gt;.npz + .json) and its metrics
/// (mint/model-XXXX-&lt;detector&gt;.metrics.json, which the report picks up). <see cref="Test"/>:
/// loads a detector and its audited model and scores an auditor's data.
/// </summary>
public static class MintStage
{
    public const string Directory = "mint";
    public const string ActivationsDirectory = "activations";
    public const string MetricsSuffix = ".metrics.json";

    public static string DefaultDetectorPath(RunDirectory run, int model, string detector) =>
        Path.Combine(run.Root, Directory, $"model-{model:D4}-{MintDetectorKinds.Check(detector)}.npz");

    public static string ActivationsPath(RunDirectory run, int model) =>
        Path.Combine(run.Root, ActivationsDirectory, $"model-{model:D4}.npy");

    /// <summary>name.npz → name.metrics.json.</summary>
    public static string MetricsPathFor(string detectorPath)
    {
        var (npz, _) = MintDetector.Paths(detectorPath);
        return npz[..^".npz".Length] + MetricsSuffix;
    }

    /// <param name="load">The models MiaLab did not train (an external ONNX target), as in the query
    /// stage: the model for an index, or null for MiaLab's own, rebuilt from its weights.</param>
    public static MintStageResult Train(RunDirectory run, int model, MintOptions options, string? detectorPath = null,
        RunData? data = null, Action<StageProgress>? progress = null, CancellationToken cancel = default,
        Func<int, IModel?>? load = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(options);
        string kind = MintDetectorKinds.Check(options.Detector);
        if (model < 0 || model >= run.Models)
            throw new InputException($"--model {model} is outside the run's models 0..{run.Models - 1}");
        var config = run.Config ?? throw new InputException($"{run.Root}: has no manifest.json with a config, so the audited model cannot be rebuilt");
        TorchDevice.Use(config.Device);
        data ??= PlanStage.LoadData(config);
        if (data.Samples.Count != run.Samples)
            throw new InputException($"the config's data has {data.Samples.Count} samples but {run.Paths.Labels} has {run.Samples}");
        var (used, unused, source) = MintProtocol.DefaultSets(run.ReadKeep()[model], run.ReadHoldout());
        using var audited = load?.Invoke(model) ?? LoadAudited(run, model, config, data.Samples);
        var info = Describe(run, model, config, data.Samples);
        Action<string, double, double> report = (task, done, total) => progress?.Invoke(new StageProgress(task, done, total));

        MintDetector detector;
        MintResult result;
        string? activationsPath = null;
        if (kind == MintDetectorKinds.Vanilla)
        {
            // Row i of activations/model-XXXX.npy is sample i of the run.
            var activations = ActivationCapture.Capture(audited, data.Samples, options.Points, options.Reduction,
                onProgress: (d, t) => report("activations", d, t));
            activationsPath = ActivationsPath(run, model);
            ActivationCapture.Write(activationsPath, activations, new Dictionary<string, object?> { ["model"] = model });
            (detector, result) = MintProtocol.RunOnInputs(activations.Values, [activations.Layout.Width], activations.Layout.Points,
                data.Samples.Labels, used, unused, options, info, report, cancel, activations.Outputs);
        }
        else
        {
            (detector, result) = MintProtocol.Run(audited, data.Samples, used, unused, options, info, report, cancel);
        }
        using (detector)
        {
            string path = MintDetector.Paths(detectorPath ?? DefaultDetectorPath(run, model, kind)).Npz;
            detector.Save(path);
            string metricsPath = MetricsPathFor(path);
            WriteMetrics(metricsPath, model, source, path, detector.Info, result);
            return new MintStageResult(result, path, metricsPath, activationsPath, source);
        }
    }

    /// <summary>Each sample's probability of having been used to train the detector's audited model.</summary>
    /// <param name="loadExternal">For a detector of an external target: opens its ONNX model, given the
    /// audited run's config and the file the detector recorded.</param>
    public static double[] Test(MintDetector detector, Dataset data, Action<StageProgress>? progress = null,
        Func<RunConfig, string, IModel>? loadExternal = null)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(data);
        var audited = detector.Info.Audited
            ?? throw new InputException("the detector does not record its audited model (audited is null); it cannot score new data");
        var config = ConfigFile.Parse(audited.Config.GetRawText(), "detector's audited config");
        TorchDevice.Use(config.Device);
        var fitted = MintData.Fit(data, audited.SampleShape, config.Model.Kind);
        if (!File.Exists(audited.WeightsPath))
            throw new InputException($"{audited.WeightsPath}: the audited model's weights are missing");
        if (!string.Equals(FileHash.Sha256(audited.WeightsPath), audited.WeightsSha256, StringComparison.OrdinalIgnoreCase))
            throw new InputException($"{audited.WeightsPath}: the audited model's weights changed since the detector was trained (SHA-256 differs); train the detector again");
        bool external = config.Target is not null && audited.Model == ExternalTarget.Model;
        if (external && loadExternal is null) throw new InvalidOperationException("the detector audits an external target but no ONNX loader was given");
        using var model = external ? loadExternal!(config, audited.WeightsPath)
            : TorchModel.Load(config.Model, audited.SampleShape, audited.Classes, audited.WeightsPath);
        var reduction = ActivationCapture.ParseReduction(detector.Info.Reduction);
        var (inputs, shape, _, _) = MintProtocol.Inputs(model, fitted, detector.Kind, detector.Info.Points, reduction,
            (task, d, t) => progress?.Invoke(new StageProgress(task, d, t)));
        if (!shape.SequenceEqual(detector.Info.InputShape))
            throw new InputException($"the audited model now gives inputs of shape [{string.Join(", ", shape)}] but the detector takes [{string.Join(", ", detector.Info.InputShape)}]");
        return detector.Predict(inputs);
    }

    /// <summary>Model m of the run, rebuilt from its trained weights.</summary>
    public static IModel LoadAudited(RunDirectory run, int model, RunConfig config, Dataset samples)
    {
        if (run.Target is not null && model == ExternalTarget.Model)
            throw new InputException($"model {model} of {run.Root} is the external target {run.Target.Onnx}; it is opened by MiaLab.Onnx, not rebuilt from weights");
        if (!run.Records.IsTrained(model))
            throw new InputException($"{run.Paths.Weights(model)}: model {model} is not trained (run 'mialab train' first)");
        return TorchModel.Load(config.Model, samples.SampleShape, samples.NumClasses, run.Paths.Weights(model));
    }

    private static MintAuditedModel Describe(RunDirectory run, int model, RunConfig config, Dataset samples)
    {
        string weights = run.Records.WeightsFile(model); // the ONNX file of an external target
        return new MintAuditedModel(run.Root, model, ConfigFile.ToJsonElement(config), samples.SampleShape, samples.NumClasses,
            weights, FileHash.Sha256(weights));
    }

    /// <summary>Writes the detector's metrics file (format: <see cref="MintSummary"/>).</summary>
    public static void WriteMetrics(string path, int model, string unusedSource, string detectorPath, MintDetectorInfo info, MintResult r) =>
        new MintSummary(r.Detector, model, r.Points, ActivationCapture.ReductionName(r.Reduction), r.InputLength, unusedSource,
            r.Split.UsedTrain.Length, r.Split.UsedEval.Length, r.Split.UnusedTrain.Length, r.Split.UnusedEval.Length,
            r.BalancedAccuracy, r.TrainBalancedAccuracy, r.Log.EpochLoss.Length,
            info.Kind == MintDetectorKinds.Vanilla ? info.Options.L1 : 0.0,
            r.Log.EpochLoss.Length > 0 ? r.Log.EpochLoss[^1] : double.NaN, detectorPath, r.Metrics)
        {
            BalancedAccuracyCi95 = r.BalancedAccuracyCi95,
            Penalty = info.Options.Penalty,
            Baselines = r.Baselines,
        }.Write(path);
}

/// <summary>The auditor's data for <c>mint test</c>: NPY [N, …], NPZ with key x, CSV with a label
/// column (dropped), or IDX images (bytes scaled to [0, 1], as the run's IDX loader does).</summary>
public static class MintData
{
    public static Dataset Read(string path, string? labelColumn = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new InputException($"{path}: data file not found");
        string name = Path.GetFileName(path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        switch (ext)
        {
            case ".npy":
                return FromArray(name, Npy.Read(path), path, scaleBytes: false);
            case ".npz":
                {
                    var arrays = Npz.Read(path);
                    var x = arrays.TryGetValue("x", out var a) ? a
                        : throw new InputException($"{path}: no array 'x' (the samples); keys are: {string.Join(", ", arrays.Keys)}");
                    return FromArray(name, x, $"{path}:x", scaleBytes: false);
                }
            case ".csv":
                {
                    var (features, _, count) = Csv.ReadLabelledTable(path, labelColumn);
                    int n = features.Length / Math.Max(count, 1);
                    return new Dataset(name, features, [count], new long[n], 1);
                }
            default:
                if (ext is ".idx" or ".ubyte" || name.Contains("idx", StringComparison.OrdinalIgnoreCase))
                    return FromArray(name, Idx.Read(path), path, scaleBytes: true);
                throw new InputException($"{path}: unknown data format '{ext}'; expected .npy, .npz (key x), .csv or an IDX file");
        }
    }

    /// <summary>The data reshaped to the audited model's sample shape: the same shape, [H, W] for a
    /// one-channel [1, H, W], or (an MLP flattens its input) any shape with the same number of values.
    /// Anything else is an <see cref="InputException"/> naming both shapes.</summary>
    public static Dataset Fit(Dataset data, int[] modelShape, string modelKind)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(modelShape);
        if (data.SampleShape.SequenceEqual(modelShape)) return data;
        int values = modelShape.Aggregate(1, (a, d) => a * d);
        bool greyImage = modelShape.Length == 3 && modelShape[0] == 1 && data.SampleShape.SequenceEqual(modelShape[1..]);
        if (greyImage || (modelKind == "mlp" && data.FeatureLength == values))
            return new Dataset(data.Name, data.Features, modelShape, data.Labels, data.NumClasses);
        throw new InputException($"the data has samples of shape {NpyArray.FormatShape(data.SampleShape)} but the audited model takes {NpyArray.FormatShape(modelShape)}");
    }

    private static Dataset FromArray(string name, NpyArray x, string source, bool scaleBytes)
    {
        if (x.Shape.Length < 2)
            throw new InputException($"{source}: shape {NpyArray.FormatShape(x.Shape)}; expected samples along the first axis, [N, D], [N, H, W] or [N, C, H, W]");
        if (x.Shape[0] == 0) throw new InputException($"{source}: has no samples");
        if (x.DType == DType.Bool) throw new InputException($"{source}: dtype bool is not sample data");
        int[] shape = x.Shape[1..];
        float[] features = scaleBytes && x.Data is byte[] bytes ? Dataset.ScalePixels(bytes) : x.ToFloat32();
        return new Dataset(name, features, shape, new long[x.Shape[0]], 1);
    }
}
